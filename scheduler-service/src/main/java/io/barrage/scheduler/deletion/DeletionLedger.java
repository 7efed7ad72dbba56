package io.barrage.scheduler.deletion;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns {@code video.events} and the intake API into ledger rows, with an audit entry for each change.
 * Every method is safe to run twice for the same event: Kafka redelivers after a crash or a rebalance,
 * and a caller of the API may retry.
 */
@Service
class DeletionLedger {

    private static final Logger log = LoggerFactory.getLogger(DeletionLedger.class);

    private final VideoDeletionMapper deletions;
    private final DeletionAuditMapper audit;
    private final SchedulerProperties properties;

    DeletionLedger(VideoDeletionMapper deletions, DeletionAuditMapper audit, SchedulerProperties properties) {
        this.deletions = deletions;
        this.audit = audit;
        this.properties = properties;
    }

    /** Records a deletion; true when this call started a grace period, false when it was already recorded. */
    @Transactional
    boolean videoDeleted(long videoId, long ownerId, Long deletedBy, String objectKey, Instant deletedAt) {
        LocalDateTime requestedAt = utc(deletedAt);
        LocalDateTime dueAt = utc(deletedAt.plus(properties.gracePeriod()));
        long actor = deletedBy == null ? ownerId : deletedBy;
        VideoDeletion existing = deletions.lockById(videoId);
        if (existing == null) {
            VideoDeletion row = new VideoDeletion();
            row.setVideoId(videoId);
            row.setOwnerId(ownerId);
            row.setDeletedBy(actor);
            row.setObjectKey(objectKey);
            row.setRequestedAt(requestedAt);
            row.setDueAt(dueAt);
            row.setStatus(DeletionStatus.PENDING);
            row.setStep(PurgeStep.OBJECTS);
            row.setObjectsRemoved(0);
            row.setDanmakuRemoved(0L);
            row.setAttempts(0);
            row.setUpdatedAt(now());
            try {
                deletions.insert(row);
            } catch (DuplicateKeyException e) {
                // another consumer of a redelivered copy got there first; its row is the same
                log.debug("deletion of video {} already recorded", videoId);
                return false;
            }
            audit.append(videoId, "REQUESTED", actor, null, null, null, "owner " + ownerId + ", due " + dueAt);
            return true;
        }
        if (existing.getStatus() == DeletionStatus.CANCELLED && requestedAt.isAfter(existing.getRequestedAt())) {
            // deleted again after a restore: a new grace period starts
            existing.setRequestedAt(requestedAt);
            existing.setDueAt(dueAt);
            existing.setObjectKey(objectKey);
            existing.setDeletedBy(actor);
            existing.setStatus(DeletionStatus.PENDING);
            existing.setStep(PurgeStep.OBJECTS);
            existing.setObjectsRemoved(0);
            existing.setDanmakuRemoved(0L);
            existing.setAttempts(0);
            existing.setLastError(null);
            existing.setPurgedAt(null);
            existing.setClaimedBy(null);
            existing.setClaimUntil(null);
            existing.setUpdatedAt(now());
            deletions.updateById(existing);
            audit.append(videoId, "REQUESTED", actor, null, null, null, "again after a restore, due " + dueAt);
            return true;
        }
        log.debug("deletion of video {} already recorded as {}", videoId, existing.getStatus());
        return false;
    }

    @Transactional
    void videoRestored(long videoId) {
        VideoDeletion existing = deletions.lockById(videoId);
        if (existing == null || existing.getStatus() != DeletionStatus.PENDING) {
            log.debug("restore of video {} finds nothing pending", videoId);
            return;
        }
        if (existing.getStep() != PurgeStep.OBJECTS) {
            // the objects are gone already; the purge's own check of the video sees it live and dead-letters
            // the record for a person to look at, rather than pretending the restore worked
            log.error("video {} was restored after its purge had removed its objects", videoId);
            audit.append(videoId, "RESTORE_TOO_LATE", null, null, null, null, "purge at step " + existing.getStep());
            return;
        }
        existing.setStatus(DeletionStatus.CANCELLED);
        // a purge holding a claim finds its fenced writes match nothing and stops
        existing.setClaimedBy(null);
        existing.setClaimUntil(null);
        existing.setUpdatedAt(now());
        deletions.updateById(existing);
        audit.append(videoId, "RESTORED", null, null, null, null, null);
    }

    /** Takes a dead letter back; false when the record is not FAILED. */
    @Transactional
    boolean retry(long videoId) {
        if (deletions.retry(videoId) != 1) {
            return false;
        }
        audit.append(videoId, "RETRY_REQUESTED", null, null, null, null, null);
        return true;
    }

    static LocalDateTime now() {
        return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
