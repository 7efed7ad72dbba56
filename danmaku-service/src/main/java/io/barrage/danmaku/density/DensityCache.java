package io.barrage.danmaku.density;

import io.barrage.danmaku.cache.VersionedCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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

    private final DensityMapper mapper;
    private final VersionedCache cache;
    private final DensityProperties properties;
    private final VersionedCache.Ttl ttl;
    private final long maxBucket;

    DensityCache(DensityMapper mapper, VersionedCache cache, DensityProperties properties) {
        this.mapper = mapper;
        this.cache = cache;
        this.properties = properties;
        this.ttl = new VersionedCache.Ttl(properties.ttl(), properties.emptyTtl());
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
        cache.invalidate(
                versionKey(videoId),
                List.of(key(videoId), derivedKey(HotMoments.NAME, videoId)),
                properties.ttl().multipliedBy(2));
    }

    private String cached(String key, long videoId, Supplier<String> load) {
        return cache.get(key, versionKey(videoId), ttl, load);
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
