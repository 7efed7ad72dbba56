package io.barrage.danmaku.video;

import feign.FeignException;
import io.barrage.platform.problem.ApiException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Answers "may danmaku be sent to or read from this video, and how long is it". Answers are remembered in a
 * bounded LRU map: a ready video for {@code video-cache.ttl}, so a busy video costs video-service one call
 * per TTL, not one per danmaku; an unknown, unready or deleted one for the shorter {@code missing-ttl} (the
 * null entry, so ids that do not exist cost one call each, not one per read). {@code video.events} makes a
 * delete take effect at once ({@link VideoEventsListener}).
 *
 * <p>A directory, not a catalog: video-service owns the videos; this only looks them up and remembers.
 */
@Component
public class VideoDirectory {

    private static final Logger log = LoggerFactory.getLogger(VideoDirectory.class);
    private static final int MAX_CACHED = 10_000;

    private final VideoClient client;
    private final CircuitBreaker circuitBreaker;
    private final long ttlNanos;
    private final long missingTtlNanos;
    private final Map<Long, Cached> cache = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
            return size() > MAX_CACHED;
        }
    };

    VideoDirectory(VideoClient client, CircuitBreaker circuitBreaker, VideoCacheProperties properties) {
        this.client = client;
        this.circuitBreaker = circuitBreaker;
        this.ttlNanos = properties.ttl().toNanos();
        this.missingTtlNanos = properties.missingTtl().toNanos();
    }

    /** A video as last seen; null when it is unknown, or deleted according to {@code video.events}. */
    private record Cached(@Nullable VideoInfo video, long expiresAt) {

        boolean ready() {
            return video != null && video.ready();
        }
    }

    /**
     * The video, if it exists and is READY; otherwise 404 {@code video-not-found}. When video-service cannot
     * be asked (down, failing, circuit open) this is a 503 {@code video-service-unavailable}: accepting a
     * danmaku we cannot validate would let anyone write to unknown or deleted videos, so we refuse instead.
     */
    public VideoInfo readyVideo(long videoId) {
        Cached cached = cached(videoId);
        if (cached == null) {
            cached = remember(videoId, ask(videoId));
        }
        if (!cached.ready()) {
            throw notFound();
        }
        return cached.video();
    }

    /**
     * For history reads: 404 {@code video-not-found} unless the video is READY, so a deleted video's danmaku
     * are gone with it, before the purge. When video-service cannot be asked, history is served anyway:
     * refusing would take every video's history down with video-service, to hide the few deleted ones.
     */
    public void checkReadable(long videoId) {
        Cached cached = cached(videoId);
        if (cached == null) {
            Optional<VideoInfo> video;
            try {
                video = circuitBreaker.executeSupplier(() -> fetch(videoId));
            } catch (RuntimeException e) {
                log.warn("video-service could not be asked about video {}; history served: {}", videoId, e.toString());
                return;
            }
            cached = remember(videoId, video);
        }
        if (!cached.ready()) {
            throw notFound();
        }
    }

    /**
     * The video in any status, if video-service knows it (for ownership checks); 503 {@code
     * video-service-unavailable} when it cannot be asked.
     */
    public Optional<VideoInfo> find(long videoId) {
        Cached cached = cached(videoId);
        if (cached != null && cached.video() != null) {
            return Optional.of(cached.video());
        }
        return ask(videoId);
    }

    /**
     * {@code VideoDeleted}: not found from now on, for as long as a ready video would be remembered. The
     * event is published inside video-service's delete transaction, so asking video-service now could still
     * hear READY.
     */
    void deleted(long videoId) {
        synchronized (cache) {
            cache.put(videoId, new Cached(null, System.nanoTime() + ttlNanos));
        }
    }

    /** {@code VideoRestored}: forget what we knew, the next read asks video-service. */
    void restored(long videoId) {
        synchronized (cache) {
            cache.remove(videoId);
        }
    }

    private @Nullable Cached cached(long videoId) {
        synchronized (cache) {
            Cached cached = cache.get(videoId);
            return cached != null && System.nanoTime() - cached.expiresAt() < 0 ? cached : null;
        }
    }

    private Cached remember(long videoId, Optional<VideoInfo> video) {
        boolean ready = video.isPresent() && video.get().ready();
        Cached cached = new Cached(video.orElse(null), System.nanoTime() + (ready ? ttlNanos : missingTtlNanos));
        synchronized (cache) {
            cache.put(videoId, cached);
        }
        return cached;
    }

    private Optional<VideoInfo> ask(long videoId) {
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

    private static ApiException notFound() {
        return new ApiException(HttpStatus.NOT_FOUND, "video-not-found", "No such video.");
    }
}
