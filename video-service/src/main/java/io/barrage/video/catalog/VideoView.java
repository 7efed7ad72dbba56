package io.barrage.video.catalog;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A video as clients see it. {@code streamUrl} is the HLS master playlist once a rung of the ladder is
 * published (the original for a video made without a ladder); {@code processing} is null unless rungs
 * are still being made.
 */
public record VideoView(
        long id,
        String title,
        String description,
        long ownerId,
        long durationMs,
        Integer width,
        Integer height,
        long sizeBytes,
        String contentType,
        VideoStatus status,
        Instant createdAt,
        Instant updatedAt,
        String streamUrl,
        long views,
        String originalUrl,
        Processing processing,
        String failureReason,
        String failureMessage,
        String storyboardUrl,
        String posterUrl) {

    /** Progress of the ladder: the whole and per rung, from ffmpeg's {@code -progress}. */
    public record Processing(int percent, List<Rung> rungs) {}

    public record Rung(String name, int height, String state, int percent) {}

    public static VideoView of(Video v) {
        return of(v, 0);
    }

    /** With the views counted in Redis but not yet flushed to the row. */
    public static VideoView of(Video v, long pendingViews) {
        String base = "/api/v1/videos/" + v.getId();
        boolean ladder = v.getLadderState() != null;
        return new VideoView(
                v.getId(),
                v.getTitle(),
                v.getDescription(),
                v.getOwnerId(),
                v.getDurationMs() == null ? 0 : v.getDurationMs(),
                v.getWidth(),
                v.getHeight(),
                v.getSizeBytes() == null ? 0 : v.getSizeBytes(),
                v.getContentType(),
                v.getStatus(),
                utc(v.getCreatedAt()),
                utc(v.getUpdatedAt()),
                !ladder ? base + "/stream" : v.getStatus() == VideoStatus.READY ? base + "/hls/master.m3u8" : null,
                (v.getViews() == null ? 0 : v.getViews()) + pendingViews,
                base + "/stream",
                null,
                v.getFailureReason(),
                v.getFailureMessage(),
                Boolean.TRUE.equals(v.getStoryboard()) ? base + "/storyboard/thumbnails.vtt" : null,
                base + "/thumbnail");
    }

    public VideoView withProcessing(Processing processing) {
        return new VideoView(
                id,
                title,
                description,
                ownerId,
                durationMs,
                width,
                height,
                sizeBytes,
                contentType,
                status,
                createdAt,
                updatedAt,
                streamUrl,
                views,
                originalUrl,
                processing,
                failureReason,
                failureMessage,
                storyboardUrl,
                posterUrl);
    }

    static Instant utc(LocalDateTime time) {
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
    }
}
