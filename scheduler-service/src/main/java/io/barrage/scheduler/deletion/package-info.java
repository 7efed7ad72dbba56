/**
 * Deferred deletion: the {@code video_deletion} ledger fed by {@code video.events} and the intake API,
 * the purge that removes a video completely once its grace period is over (its objects, its danmaku
 * through danmaku-service, then its Redis keys and row through video-service), one committed step at a
 * time under a lease so that a dead replica's work is finished by another, the append-only
 * {@code deletion_audit}, and the internal API to list, audit and retry deletions.
 */
package io.barrage.scheduler.deletion;
