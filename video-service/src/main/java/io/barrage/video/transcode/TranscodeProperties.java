package io.barrage.video.transcode;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code barrage.video.transcode.*}: the HLS ladder (docs/architecture.md "Transcoding").
 *
 * @param enabled uploads get a ladder (a job on {@code video.transcode-jobs}); false: the upload is
 *     READY at once and plays its original, as before the ladder existed
 * @param workerEnabled this instance consumes jobs (the worker role); API-only pods set it false
 * @param maxDuration longer sources are FAILED {@code duration-too-long}
 * @param maxWidth wider frames are FAILED {@code resolution-too-large}
 * @param maxHeight taller frames are FAILED {@code resolution-too-large}
 * @param maxFrameRate sources declaring more frames per second are FAILED {@code frame-rate-too-high}
 * @param maxStreams sources with more streams are FAILED {@code too-many-streams}
 * @param probeTimeout wall-clock limit of ffprobe
 * @param timePerSourceSecond ffmpeg's wall-clock limit: this much per second of source, plus
 *     {@code timeBase}; past it ffmpeg is killed
 * @param timeBase see {@code timePerSourceSecond}
 * @param cpuSecondsPerSourceSecond CPU-time rlimit of ffmpeg (prlimit --cpu), per second of source, plus
 *     60 s
 * @param memoryLimit address-space rlimit of ffmpeg and ffprobe (prlimit --as)
 * @param nice the scheduling priority of ffmpeg and ffprobe (nice -n)
 * @param preset libx264's preset
 * @param segmentSeconds the HLS segment length; the GOP is fixed to it, so every segment starts with a
 *     keyframe
 * @param maxFps the frame rate is capped to this
 * @param maxAttempts after this many failed attempts the job is FAILED (the dead letter)
 * @param backoff the wait before the second attempt; it doubles with each attempt
 * @param lease how long a claimed job stays a worker's without a renewal
 * @param sweepInterval how often a worker looks for due retries and jobs of workers that died
 * @param workDir where a worker keeps the source and the rung files while it works
 */
@ConfigurationProperties("barrage.video.transcode")
public record TranscodeProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("true") boolean workerEnabled,
        @DefaultValue("4h") Duration maxDuration,
        @DefaultValue("7680") int maxWidth,
        @DefaultValue("4320") int maxHeight,
        @DefaultValue("240") int maxFrameRate,
        @DefaultValue("8") int maxStreams,
        @DefaultValue("30s") Duration probeTimeout,
        @DefaultValue("3s") Duration timePerSourceSecond,
        @DefaultValue("2m") Duration timeBase,
        @DefaultValue("6") int cpuSecondsPerSourceSecond,
        @DefaultValue("3GB") DataSize memoryLimit,
        @DefaultValue("10") int nice,
        @DefaultValue("veryfast") String preset,
        @DefaultValue("4") int segmentSeconds,
        @DefaultValue("60") int maxFps,
        @DefaultValue("4") int maxAttempts,
        @DefaultValue("30s") Duration backoff,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("10s") Duration sweepInterval,
        Path workDir) {

    public TranscodeProperties {
        if (workDir == null) {
            workDir = Path.of(System.getProperty("java.io.tmpdir"), "barrage-transcode");
        }
    }
}
