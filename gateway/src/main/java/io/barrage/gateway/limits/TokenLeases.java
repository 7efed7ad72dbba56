package io.barrage.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;

/**
 * The tokens this instance has already taken from keys' global buckets in Redis and not used yet. Every
 * token here was counted by Redis when it was taken, so admitting from here never lets a key past its
 * global limit; a token unused within the lease's time-to-live is dropped.
 */
final class TokenLeases {

    private final Cache<String, Lease> leases;
    private final long ttlNanos;

    TokenLeases(int maxKeys, Duration ttl) {
        this.ttlNanos = ttl.toNanos();
        this.leases = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                // an entry outlives its tokens a little, so a key's global count is still at hand
                .expireAfterAccess(ttl.multipliedBy(2))
                .build();
    }

    /**
     * Takes {@code tokens} from the key's lease: the tokens left for the key (in the lease plus in Redis
     * when it was last asked), or -1 when the lease does not hold enough (nothing is taken then).
     */
    long take(String key, int tokens) {
        Lease lease = leases.getIfPresent(key);
        return lease == null ? -1 : lease.take(tokens, System.nanoTime());
    }

    /** Adds tokens just taken from Redis to the key's lease; {@code globalLeft}: what Redis has left. */
    void add(String key, long tokens, long globalLeft) {
        leases.get(key, k -> new Lease()).add(tokens, globalLeft, System.nanoTime() + ttlNanos);
    }

    private static final class Lease {
        private long tokens;
        private long globalLeft;
        private long expiresAt;

        synchronized long take(int wanted, long now) {
            if (now - expiresAt > 0) {
                tokens = 0;
            }
            if (tokens < wanted) {
                return -1;
            }
            tokens -= wanted;
            return tokens + globalLeft;
        }

        synchronized void add(long more, long left, long until) {
            if (System.nanoTime() - expiresAt > 0) {
                tokens = 0;
            }
            tokens += more;
            globalLeft = left;
            expiresAt = until;
        }
    }
}
