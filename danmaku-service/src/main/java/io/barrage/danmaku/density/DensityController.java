package io.barrage.danmaku.density;

import io.barrage.danmaku.video.VideoDirectory;
import io.swagger.v3.oas.annotations.Operation;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Public reads; a video that is not READY (unknown, deleted) is 404 {@code video-not-found}, as history is. */
@RestController
class DensityController {

    private static final MediaType VTT = MediaType.parseMediaType("text/vtt;charset=UTF-8");

    private final DensityCache cache;
    private final HotMoments moments;
    private final VideoDirectory videos;

    DensityController(DensityCache cache, HotMoments moments, VideoDirectory videos) {
        this.cache = cache;
        this.moments = moments;
        this.videos = videos;
    }

    record Moments(long videoId, long bucketMs, List<HotMoments.Moment> moments) {}

    @Operation(summary = "Danmaku per 5-second playback bucket, from 0 to the last non-empty bucket")
    @GetMapping("/api/v1/videos/{id}/danmaku/density")
    Curve density(@PathVariable("id") long videoId) {
        videos.checkReadable(videoId);
        return Curve.of(videoId, cache.buckets(videoId));
    }

    @Operation(summary = "The curve's peaks, each labelled with its most frequent words or n-grams")
    @GetMapping("/api/v1/videos/{id}/danmaku/moments")
    Moments moments(@PathVariable("id") long videoId) {
        videos.checkReadable(videoId);
        return new Moments(videoId, DensityLedger.BUCKET_MS, moments.of(videoId));
    }

    @Operation(summary = "The same moments as WebVTT chapters (text/vtt)")
    @GetMapping("/api/v1/videos/{id}/danmaku/moments.vtt")
    ResponseEntity<String> chapters(@PathVariable("id") long videoId) {
        videos.checkReadable(videoId);
        return ResponseEntity.ok().contentType(VTT).body(HotMoments.webVtt(moments.of(videoId)));
    }
}
