package io.barrage.video.catalog;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** A video as clients see it. */
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
        long views) {

    public static VideoView of(Video v) {
        return of(v, 0);
    }

    /** With the views counted in Redis but not yet flushed to the row. */
    public static VideoView of(Video v, long pendingViews) {
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
                "/api/v1/videos/" + v.getId() + "/stream",
                (v.getViews() == null ? 0 : v.getViews()) + pendingViews);
    }

    static Instant utc(LocalDateTime time) {
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
    }
}
