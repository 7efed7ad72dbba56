package io.barrage.danmaku.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Cache-aside of values a video's writes change (history segments, the density curve), shared by their
 * caches:
 *
 * <ul>
 *   <li>A miss is loaded by one caller per key: in this process later callers join the first caller's
 *       future; across processes a short Redis lock ({@code SET NX PX}) lets one load while the others
 *       poll the key briefly (and read the database themselves, without caching, if it takes too long).
 *   <li>Each video has a version key that a write bumps ({@link #invalidate}); a loader stores what it read
 *       only if the version did not move while it was reading (a compare-and-set in Lua), which closes the
 *       race of a slow reader putting back data older than a write.
 *   <li>TTLs are jittered (±10 %) so entries loaded together do not expire together; an empty value (the
 *       null entry) lives for the shorter TTL.
 *   <li>With Redis down the loader answers every read and nothing is cached.
 * </ul>
 */
@Component
public class VersionedCache {

    private static final Logger log = LoggerFactory.getLogger(VersionedCache.class);
    private static final RedisScript<Long> SET_IF_VERSION = new DefaultRedisScript<>("""
            if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """, Long.class);
    private static final RedisScript<Long> INVALIDATE = new DefaultRedisScript<>("""
            redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final ConcurrentHashMap<String, CompletableFuture<String>> loading = new ConcurrentHashMap<>();

    VersionedCache(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** How long an entry lives: {@code ttl}, or {@code emptyTtl} for an empty value ("" or "[]"). */
    public record Ttl(Duration ttl, Duration emptyTtl) {}

    /** The value under {@code key}, loaded by {@code load} on a miss and stored if {@code versionKey} held. */
    public String get(String key, String versionKey, Ttl ttl, Supplier<String> load) {
        String hit = read(key);
        if (hit != null) {
            return hit;
        }
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> theirs = loading.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            String value = loadOnce(key, versionKey, ttl, load);
            mine.complete(value);
            return value;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    /**
     * After a committed write: bumps the version (kept for {@code versionTtl}) and drops {@code keys}. If
     * Redis cannot be reached the entries expire by themselves; until then a reader may see the old value.
     */
    public void invalidate(String versionKey, Collection<String> keys, Duration versionTtl) {
        List<String> all = new ArrayList<>(keys.size() + 1);
        all.add(versionKey);
        all.addAll(keys);
        try {
            redis.execute(INVALIDATE, all, Long.toString(versionTtl.toMillis()));
        } catch (DataAccessException e) {
            log.warn("cache entries {} not invalidated: {}", all, e.toString());
        }
    }

    private String loadOnce(String key, String versionKey, Ttl ttl, Supplier<String> load) {
        String lockKey = "danmaku:lock:" + key;
        boolean locked;
        try {
            locked = Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lockKey, "1", Duration.ofSeconds(3)));
        } catch (DataAccessException e) {
            return load.get(); // Redis is down: the database answers, nothing is cached
        }
        if (!locked) {
            // Another instance is loading this key: give it a moment before asking the database ourselves.
            for (int i = 0; i < 25; i++) {
                sleep(20);
                String value = read(key);
                if (value != null) {
                    return value;
                }
            }
            return load.get();
        }
        try {
            // Our miss may be older than the lock: a loader here or in another instance may have stored the
            // key and let go of both the lock and its in-process slot in between. Then there is nothing to do.
            String stored = read(key);
            if (stored != null) {
                return stored;
            }
            String version = versionOf(versionKey);
            String value = load.get();
            if (version != null) {
                boolean empty = value.isEmpty() || value.equals("[]");
                long ttlMs = jitter(empty ? ttl.emptyTtl() : ttl.ttl());
                try {
                    redis.execute(SET_IF_VERSION, List.of(key, versionKey), version, value, Long.toString(ttlMs));
                } catch (DataAccessException e) {
                    log.warn("cache unavailable: {}", e.toString());
                }
            }
            return value;
        } finally {
            try {
                redis.delete(lockKey);
            } catch (DataAccessException ignored) {
                // it expires by itself
            }
        }
    }

    private String read(String key) {
        try {
            return redis.opsForValue().get(key);
        } catch (DataAccessException e) {
            return null;
        }
    }

    /** The video's version, "0" if never written, null if Redis cannot say (then nothing is cached). */
    private String versionOf(String versionKey) {
        try {
            String version = redis.opsForValue().get(versionKey);
            return version == null ? "0" : version;
        } catch (DataAccessException e) {
            return null;
        }
    }

    private static long jitter(Duration ttl) {
        long ms = ttl.toMillis();
        return ms + ThreadLocalRandom.current().nextLong(-ms / 10, ms / 10 + 1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
