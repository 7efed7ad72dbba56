package io.barrage.scheduler.deletion;

import java.time.Instant;

/** One line of a video's deletion audit, as the internal API shows it. */
record AuditEntry(
        long id,
        String action,
        Long actorId,
        String instance,
        Integer objectsRemoved,
        Long danmakuRemoved,
        String note,
        Instant at) {

    static AuditEntry of(DeletionAudit a) {
        return new AuditEntry(
                a.getId(),
                a.getAction(),
                a.getActorId(),
                a.getInstance(),
                a.getObjectsRemoved(),
                a.getDanmakuRemoved(),
                a.getNote(),
                DeletionView.utc(a.getAt()));
    }
}
