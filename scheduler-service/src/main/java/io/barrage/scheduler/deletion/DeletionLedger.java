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
 * Turns {@code video.events} into ledger rows. Every method is safe to run twice for the same event:
 * Kafka redelivers after a crash or a rebalance.
 */
@Service
class DeletionLedger {

    private static final Logger log = LoggerFactory.getLogger(DeletionLedger.class);

    private final VideoDeletionMapper deletions;
    private final SchedulerProperties properties;

    DeletionLedger(VideoDeletionMapper deletions, SchedulerProperties properties) {
        this.deletions = deletions;
        this.properties = properties;
    }

    @Transactional
    void videoDeleted(long videoId, long ownerId, String objectKey, Instant deletedAt) {
        LocalDateTime requestedAt = utc(deletedAt);
        LocalDateTime dueAt = utc(deletedAt.plus(properties.gracePeriod()));
        VideoDeletion existing = deletions.lockById(videoId);
        if (existing == null) {
            VideoDeletion row = new VideoDeletion();
            row.setVideoId(videoId);
            row.setOwnerId(ownerId);
            row.setObjectKey(objectKey);
            row.setRequestedAt(requestedAt);
            row.setDueAt(dueAt);
            row.setStatus(DeletionStatus.PENDING);
            row.setAttempts(0);
            row.setUpdatedAt(now());
            try {
                deletions.insert(row);
            } catch (DuplicateKeyException e) {
                // another consumer of a redelivered copy got there first; its row is the same
                log.debug("deletion of video {} already recorded", videoId);
            }
            return;
        }
        if (existing.getStatus() == DeletionStatus.CANCELLED && requestedAt.isAfter(existing.getRequestedAt())) {
            // deleted again after a restore: a new grace period starts
            existing.setRequestedAt(requestedAt);
            existing.setDueAt(dueAt);
            existing.setObjectKey(objectKey);
            existing.setStatus(DeletionStatus.PENDING);
            existing.setAttempts(0);
            existing.setLastError(null);
            existing.setPurgedAt(null);
            existing.setUpdatedAt(now());
            deletions.updateById(existing);
        } else {
            log.debug("deletion of video {} already recorded as {}", videoId, existing.getStatus());
        }
    }

    @Transactional
    void videoRestored(long videoId) {
        VideoDeletion existing = deletions.lockById(videoId);
        if (existing == null || existing.getStatus() != DeletionStatus.PENDING) {
            log.debug("restore of video {} finds nothing pending", videoId);
            return;
        }
        existing.setStatus(DeletionStatus.CANCELLED);
        existing.setUpdatedAt(now());
        deletions.updateById(existing);
    }

    static LocalDateTime now() {
        return LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }

    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
    }
}
