package io.barrage.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token buckets this instance keeps in memory while Redis cannot be asked: the same buckets as in
 * Redis, per instance, so during an outage the cluster admits at most instances × limit, nobody is
 * refused because of the outage itself, and no request waits for Redis ("fail open, but bounded").
 */
final class OutageBuckets {

    private static final Logger log = LoggerFactory.getLogger("io.barrage.gateway.limits.RateLimits");

    private final AtomicLong lastOutageLog =
            new AtomicLong(System.nanoTime() - Duration.ofMinutes(2).toNanos());

    private final Cache<String, LocalBucket> buckets = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5))
            .build();

    /** Tokens left after taking, or -1 when there were not enough (nothing is taken then). */
    long take(String key, int replenishRate, long burstCapacity, int requested) {
        long now = System.nanoTime();
        long last = lastOutageLog.get();
        if (now - last > Duration.ofMinutes(1).toNanos() && lastOutageLog.compareAndSet(last, now)) {
            log.warn("Redis unavailable: rate limiting in this instance's memory until it is back");
        }
        return buckets.get(key, k -> new LocalBucket(replenishRate, burstCapacity))
                .take(requested);
    }

    /** The same refill rule as the Redis script, in memory. */
    static final class LocalBucket {
        private final double ratePerNano;
        private final long capacity;
        private double tokens;
        private long refilledAt = System.nanoTime();

        LocalBucket(int replenishPerSecond, long capacity) {
            this.ratePerNano = replenishPerSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
        }

        synchronized long take(int requested) {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            if (tokens < requested) {
                return -1;
            }
            tokens -= requested;
            return (long) tokens;
        }
    }
}
