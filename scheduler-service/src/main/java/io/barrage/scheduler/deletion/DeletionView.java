package io.barrage.scheduler.deletion;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

record DeletionView(
        long videoId,
        long ownerId,
        Long deletedBy,
        String objectKey,
        Instant requestedAt,
        Instant dueAt,
        DeletionStatus status,
        PurgeStep step,
        int attempts,
        String lastError,
        int objectsRemoved,
        long danmakuRemoved,
        Instant purgedAt,
        Instant updatedAt) {

    static DeletionView of(VideoDeletion d) {
        return new DeletionView(
                d.getVideoId(),
                d.getOwnerId(),
                d.getDeletedBy(),
                d.getObjectKey(),
                utc(d.getRequestedAt()),
                utc(d.getDueAt()),
                d.getStatus(),
                d.getStep(),
                d.getAttempts(),
                d.getLastError(),
                d.getObjectsRemoved() == null ? 0 : d.getObjectsRemoved(),
                d.getDanmakuRemoved() == null ? 0 : d.getDanmakuRemoved(),
                utc(d.getPurgedAt()),
                utc(d.getUpdatedAt()));
    }

    static Instant utc(LocalDateTime time) {
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
    }
}
