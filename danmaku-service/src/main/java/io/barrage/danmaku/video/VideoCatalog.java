package io.barrage.danmaku.video;

import feign.FeignException;
import io.barrage.danmaku.web.ApiException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Answers "may danmaku be sent to this video, and how long is it". Ready videos are remembered for a short
 * while (a bounded LRU map) so a busy video costs video-service one call per TTL, not one per danmaku.
 */
@Component
public class VideoCatalog {

    private static final Logger log = LoggerFactory.getLogger(VideoCatalog.class);
    private static final int MAX_CACHED = 10_000;

    private final VideoClient client;
    private final CircuitBreaker circuitBreaker;
    private final long ttlNanos;
    private final Map<Long, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
            return size() > MAX_CACHED;
        }
    };

    VideoCatalog(
            VideoClient client,
            CircuitBreaker circuitBreaker,
            @Value("${barrage.danmaku.video-cache-ttl:30s}") Duration ttl) {
        this.client = client;
        this.circuitBreaker = circuitBreaker;
        this.ttlNanos = ttl.toNanos();
    }

    private record Cached(VideoInfo video, long expiresAt) {}

    /**
     * The video, if it exists and is READY; otherwise 404 {@code video-not-found}. When video-service cannot
     * be asked (down, failing, circuit open) this is a 503 {@code video-service-unavailable}: accepting a
     * danmaku we cannot validate would let anyone write to unknown or deleted videos, so we refuse instead.
     */
    public VideoInfo readyVideo(long videoId) {
        long now = System.nanoTime();
        synchronized (cache) {
            Cached cached = cache.get(videoId);
            if (cached != null && now - cached.expiresAt() < 0) {
                return cached.video();
            }
        }
        Optional<VideoInfo> video;
        try {
            video = circuitBreaker.executeSupplier(() -> fetch(videoId));
        } catch (RuntimeException e) {
            log.warn("video-service could not be asked about video {}: {}", videoId, e.toString());
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "video-service-unavailable",
                    "The video cannot be checked right now; try again shortly.");
        }
        if (video.isEmpty() || !video.get().ready()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "video-not-found", "No such video.");
        }
        synchronized (cache) {
            cache.put(videoId, new Cached(video.get(), now + ttlNanos));
        }
        return video.get();
    }

    /**
     * The video in any status, if video-service knows it (for ownership checks); 503 {@code
     * video-service-unavailable} when it cannot be asked.
     */
    public Optional<VideoInfo> find(long videoId) {
        long now = System.nanoTime();
        synchronized (cache) {
            Cached cached = cache.get(videoId);
            if (cached != null && now - cached.expiresAt() < 0) {
                return Optional.of(cached.video());
            }
        }
        try {
            return circuitBreaker.executeSupplier(() -> fetch(videoId));
        } catch (RuntimeException e) {
            log.warn("video-service could not be asked about video {}: {}", videoId, e.toString());
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "video-service-unavailable",
                    "The video cannot be checked right now; try again shortly.");
        }
    }

    /** A 404 is an answer, not a failure: it must not open the circuit. */
    private Optional<VideoInfo> fetch(long videoId) {
        try {
            return Optional.of(client.video(videoId));
        } catch (FeignException.NotFound e) {
            return Optional.empty();
        }
    }
}
