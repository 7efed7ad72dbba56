package io.barrage.danmaku.density;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * A video's curve, cache-aside in Redis with the history cache's techniques: a miss is loaded by one
 * thread per key in this process (the others wait for it) and one process at a time (a short Redis lock;
 * the others poll the key briefly); the value is stored only if the video's density version did not move
 * while it was read (a write in between bumps it, so a reader can never put back a curve older than the
 * write that invalidated it); TTLs are jittered so curves cached together do not expire together; an empty
 * curve is cached for a shorter time (the null entry). With Redis down, MariaDB answers every read.
 *
 * <p>The value is {@code "bucket:count,bucket:count"}, ascending, only non-empty buckets.
 */
@Component
class DensityCache {

    private static final Logger log = LoggerFactory.getLogger(DensityCache.class);
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

    private final DensityMapper mapper;
    private final StringRedisTemplate redis;
    private final DensityProperties properties;
    private final long maxBucket;
    private final ConcurrentHashMap<String, CompletableFuture<String>> loading = new ConcurrentHashMap<>();

    DensityCache(DensityMapper mapper, StringRedisTemplate redis, DensityProperties properties) {
        this.mapper = mapper;
        this.redis = redis;
        this.properties = properties;
        this.maxBucket = properties.maxPlayback().toMillis() / DensityLedger.BUCKET_MS + 1;
    }

    /** The non-empty buckets of a video: {bucket, count} pairs, ascending. */
    List<long[]> buckets(long videoId) {
        return parse(cached(key(videoId), videoId, () -> load(videoId)));
    }

    /**
     * A value derived from the curve (the hot moments), cached under the same version and dropped with it,
     * so it is recomputed only after the curve changed.
     */
    String derived(String name, long videoId, Supplier<String> compute) {
        return cached(derivedKey(name, videoId), videoId, compute);
    }

    /** After a committed write: the next read loads the curve again. */
    void invalidate(long videoId) {
        try {
            redis.execute(
                    INVALIDATE,
                    List.of(versionKey(videoId), key(videoId), derivedKey(HotMoments.NAME, videoId)),
                    Long.toString(properties.ttl().multipliedBy(2).toMillis()));
        } catch (DataAccessException e) {
            // the entry expires by itself; until then a reader may see the old curve
            log.warn("density cache of video {} not invalidated: {}", videoId, e.toString());
        }
    }

    private String cached(String key, long videoId, Supplier<String> load) {
        String hit = get(key);
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
            String value = loadOnce(key, videoId, load);
            mine.complete(value);
            return value;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            loading.remove(key, mine);
        }
    }

    private String loadOnce(String key, long videoId, Supplier<String> load) {
        String lockKey = "danmaku:lock:" + key;
        boolean locked;
        try {
            locked = Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lockKey, "1", Duration.ofSeconds(3)));
        } catch (DataAccessException e) {
            return load.get(); // Redis is down: MariaDB answers, nothing is cached
        }
        if (!locked) {
            // another instance is loading this key: give it a moment before asking MariaDB ourselves
            for (int i = 0; i < 25; i++) {
                sleep(20);
                String value = get(key);
                if (value != null) {
                    return value;
                }
            }
            return load.get();
        }
        try {
            // our miss may be older than the lock: another loader may have stored the key in between
            String stored = get(key);
            if (stored != null) {
                return stored;
            }
            String version = get(versionKey(videoId));
            String value = load.get();
            long ttlMs = jitter(value.isEmpty() || value.equals("[]") ? properties.emptyTtl() : properties.ttl());
            try {
                redis.execute(
                        SET_IF_VERSION,
                        List.of(key, versionKey(videoId)),
                        version == null ? "0" : version,
                        value,
                        Long.toString(ttlMs));
            } catch (DataAccessException e) {
                log.warn("density cache unavailable: {}", e.toString());
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

    private String load(long videoId) {
        StringBuilder value = new StringBuilder();
        for (Map<String, Object> row : mapper.buckets(videoId, maxBucket)) {
            if (!value.isEmpty()) {
                value.append(',');
            }
            value.append(((Number) row.get("bucket")).longValue())
                    .append(':')
                    .append(((Number) row.get("danmaku")).longValue());
        }
        return value.toString();
    }

    static List<long[]> parse(String value) {
        List<long[]> buckets = new ArrayList<>();
        if (!value.isEmpty()) {
            for (String pair : value.split(",")) {
                int colon = pair.indexOf(':');
                buckets.add(
                        new long[] {Long.parseLong(pair.substring(0, colon)), Long.parseLong(pair.substring(colon + 1))
                        });
            }
        }
        return buckets;
    }

    private String get(String key) {
        try {
            return redis.opsForValue().get(key);
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

    static String key(long videoId) {
        return "danmaku:density:" + videoId;
    }

    private static String derivedKey(String name, long videoId) {
        return "danmaku:" + name + ":" + videoId;
    }

    private static String versionKey(long videoId) {
        return "danmaku:density-ver:" + videoId;
    }
}
