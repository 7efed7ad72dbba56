package io.barrage.scheduler.deletion;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

record DeletionView(
        long videoId,
        long ownerId,
        String objectKey,
        Instant requestedAt,
        Instant dueAt,
        DeletionStatus status,
        int attempts,
        String lastError,
        Instant purgedAt,
        Instant updatedAt) {

    static DeletionView of(VideoDeletion d) {
        return new DeletionView(
                d.getVideoId(),
                d.getOwnerId(),
                d.getObjectKey(),
                utc(d.getRequestedAt()),
                utc(d.getDueAt()),
                d.getStatus(),
                d.getAttempts(),
                d.getLastError(),
                utc(d.getPurgedAt()),
                utc(d.getUpdatedAt()));
    }

    private static Instant utc(LocalDateTime time) {
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
    }
}
