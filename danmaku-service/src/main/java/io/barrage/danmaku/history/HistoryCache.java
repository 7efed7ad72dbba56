package io.barrage.danmaku.history;

import io.barrage.danmaku.cache.VersionedCache;
import io.barrage.danmaku.ingest.Danmaku;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * History served cache-aside from Redis over MySQL, in bilibili's 6-minute segments.
 *
 * <ul>
 *   <li>A miss is loaded by one caller per key: in this instance, later callers join the first caller's
 *       future; across instances, a short Redis lock ({@code SET NX PX}) lets one load while the others
 *       poll the cache briefly (and read MySQL themselves, without caching, if it takes too long).
 *   <li>TTLs are jittered (±10%) so segments loaded together do not expire together.
 *   <li>Writers change MySQL, then bump the video's version and delete the segments they touched. A loader
 *       stores what it read only if the version did not move while it was reading (a compare-and-set in
 *       Lua), which closes the race of a slow reader putting back data older than a delete.
 *   <li>Each video has a cached index of the segments that hold danmaku. Reads go only to those, so the
 *       work of a read is bounded by what is stored, not by how far apart it lies (a danmaku 136 years
 *       in once made every read walk 11 million empty segments), and a video with no danmaku (including
 *       one that does not exist) is an empty index remembered for a short while: the null entry.
 * </ul>
 *
 * <p>When Redis is down, reads go to MySQL (degraded, slower): history stays readable through a Redis outage.
 */
@Component
public class HistoryCache {

    public static final long SEGMENT_MS = 360_000;
    /** A segment holds at most this many danmaku (the first by playback time), like bilibili's pools. */
    static final int SEGMENT_LIMIT = 10_000;
    /** How many segments with danmaku a video's cached index lists; 24 h of playback is 240. */
    static final int INDEX_LIMIT = 1_000;
    /** The last segment whose end still fits a long (playback_ms is a BIGINT). */
    static final long MAX_SEGMENT = Long.MAX_VALUE / SEGMENT_MS - 1;

    private final DanmakuMapper mapper;
    private final VersionedCache cache;
    private final JsonMapper json;
    private final VersionedCache.Ttl ttl;

    HistoryCache(DanmakuMapper mapper, VersionedCache cache, JsonMapper json, HistoryProperties properties) {
        this.mapper = mapper;
        this.cache = cache;
        this.json = json;
        this.ttl = new VersionedCache.Ttl(properties.ttl(), properties.emptyTtl());
    }

    /**
     * One whole segment, [n × 6 min, (n + 1) × 6 min), ordered by playback time then seq. A segment the
     * video's index does not list is empty without asking anyone: asking for many segments of a video with
     * few (or none, or of one that never had any) costs the index and nothing else.
     */
    public List<Danmaku> segment(long videoId, int n) {
        SegmentIndex index = index(videoId);
        if (!index.mayHold(n)) {
            return List.of();
        }
        return load(videoId, n);
    }

    /**
     * A playback window [fromMs, toMs], at most {@code limit} items, assembled from the segments that hold
     * danmaku. Every segment read lies inside the window and all but the first and the last hold only
     * items inside it, so a read touches at most {@code limit + 2} segments however far apart they lie.
     */
    public List<Danmaku> window(long videoId, long fromMs, long toMs, int limit) {
        List<Danmaku> items = new ArrayList<>();
        for (long n : segmentsWithDanmaku(videoId, fromMs / SEGMENT_MS, toMs / SEGMENT_MS, limit + 2)) {
            for (Danmaku d : load(videoId, n)) {
                if (d.playbackMs() >= fromMs && d.playbackMs() <= toMs) {
                    items.add(d);
                    if (items.size() == limit) {
                        return items;
                    }
                }
            }
        }
        return items;
    }

    private List<Danmaku> load(long videoId, long n) {
        String value = cached(segmentKey(videoId, n), videoId, () -> {
            long end = n > MAX_SEGMENT ? Long.MAX_VALUE : (n + 1) * SEGMENT_MS;
            List<DanmakuRow> rows = mapper.segment(videoId, n * SEGMENT_MS, end, SEGMENT_LIMIT);
            return json.writeValueAsString(
                    rows.stream().map(DanmakuRow::toDanmaku).toList());
        });
        return List.of(json.readValue(value, Danmaku[].class));
    }

    /** Up to {@code max} segments in [first, last] that hold danmaku, in order. */
    private List<Long> segmentsWithDanmaku(long videoId, long first, long last, int max) {
        SegmentIndex index = index(videoId);
        List<Long> segments = new ArrayList<>();
        for (long n : index.segments()) {
            if (n > last || segments.size() == max) {
                return segments;
            }
            if (n >= first) {
                segments.add(n);
            }
        }
        long after = Math.max(first, index.segments().isEmpty() ? 0 : index.lastListed() + 1);
        if (index.truncated() && segments.size() < max && after <= last && after <= MAX_SEGMENT) {
            // Only rows stored before playback times were capped can get here: ask MySQL, bounded, uncached.
            for (long n : mapper.nonEmptySegments(videoId, after * SEGMENT_MS, max - segments.size(), MAX_SEGMENT)) {
                if (n > last) {
                    break;
                }
                segments.add(n);
            }
        }
        return segments;
    }

    /**
     * The video's segments that hold danmaku (the first {@value #INDEX_LIMIT}), cached like a segment; an
     * empty index is the short-lived null entry of a video without danmaku, or of one that does not exist.
     */
    SegmentIndex index(long videoId) {
        String value = cached(indexKey(videoId), videoId, () -> {
            List<Long> segments = mapper.nonEmptySegments(videoId, 0, INDEX_LIMIT + 1, MAX_SEGMENT);
            return SegmentIndex.of(segments, INDEX_LIMIT).toString();
        });
        return SegmentIndex.parse(value);
    }

    /** After a database write: bump the video's version and drop what it changed. */
    public void invalidate(long videoId, Collection<Long> playbackMs) {
        List<String> keys = new ArrayList<>();
        keys.add(indexKey(videoId));
        playbackMs.stream()
                .map(ms -> segmentKey(videoId, ms / SEGMENT_MS))
                .distinct()
                .forEach(keys::add);
        cache.invalidate(versionKey(videoId), keys, ttl.ttl().multipliedBy(2));
    }

    private String cached(String key, long videoId, Supplier<String> load) {
        return cache.get(key, versionKey(videoId), ttl, load);
    }

    static String segmentKey(long videoId, long n) {
        return "danmaku:seg:" + videoId + ":" + n;
    }

    private static String indexKey(long videoId) {
        return "danmaku:segs:" + videoId;
    }

    private static String versionKey(long videoId) {
        return "danmaku:ver:" + videoId;
    }
}
