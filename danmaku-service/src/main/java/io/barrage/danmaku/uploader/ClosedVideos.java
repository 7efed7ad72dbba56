package io.barrage.danmaku.uploader;

import io.barrage.platform.problem.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Whether a video takes new danmaku. Ingest asks on every POST, so the answer is remembered per instance in
 * a bounded LRU map for {@code cache-ttl}: one primary-key read per video per TTL, not one per danmaku.
 */
@Component
public class ClosedVideos {

    private static final int MAX_CACHED = 10_000;

    private final UploaderMapper mapper;
    private final long ttlNanos;
    private final Map<Long, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
            return size() > MAX_CACHED;
        }
    };

    ClosedVideos(UploaderMapper mapper, ClosedVideosProperties properties) {
        this.mapper = mapper;
        this.ttlNanos = properties.cacheTtl().toNanos();
    }

    private record Cached(boolean closed, long expiresAt) {}

    /** 403 {@code danmaku-closed} when the owner closed the video to new danmaku. */
    public void checkOpen(long videoId) {
        if (closed(videoId)) {
            throw new ApiException(
                    HttpStatus.FORBIDDEN, "danmaku-closed", "The uploader closed danmaku on this video.");
        }
    }

    public boolean closed(long videoId) {
        synchronized (cache) {
            Cached cached = cache.get(videoId);
            if (cached != null && System.nanoTime() - cached.expiresAt() < 0) {
                return cached.closed();
            }
        }
        return remember(videoId, mapper.closed(videoId));
    }

    void set(long videoId, boolean closed) {
        mapper.setClosed(videoId, closed);
        remember(videoId, closed);
    }

    private boolean remember(long videoId, boolean closed) {
        synchronized (cache) {
            cache.put(videoId, new Cached(closed, System.nanoTime() + ttlNanos));
        }
        return closed;
    }
}
