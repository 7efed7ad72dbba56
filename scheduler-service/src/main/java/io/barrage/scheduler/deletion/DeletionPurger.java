package io.barrage.scheduler.deletion;

import feign.FeignException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Purges due videos: first the object, then (through video-service) the row. Every step may run again
 * after a crash: removing a missing object and purging a missing row both succeed.
 */
@Service
class DeletionPurger {

    private static final Logger log = LoggerFactory.getLogger(DeletionPurger.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final VideoDeletionMapper deletions;
    private final ObjectRemover objects;
    private final VideoServiceClient videoService;
    private final SchedulerProperties properties;
    private final Counter failures;

    DeletionPurger(
            VideoDeletionMapper deletions,
            ObjectRemover objects,
            VideoServiceClient videoService,
            SchedulerProperties properties,
            MeterRegistry meters) {
        this.deletions = deletions;
        this.objects = objects;
        this.videoService = videoService;
        this.properties = properties;
        this.failures = Counter.builder("barrage.scheduler.purge.failures")
                .description("Purge attempts that failed (each is retried with backoff, then dead-lettered)")
                .register(meters);
    }

    /** One batch, in one transaction that holds the claimed rows; returns how many it claimed. */
    @Transactional
    int purgeDueBatch() {
        List<VideoDeletion> due = deletions.lockDue(DeletionLedger.now(), properties.batchSize());
        for (VideoDeletion deletion : due) {
            purge(deletion);
        }
        return due.size();
    }

    private void purge(VideoDeletion deletion) {
        long videoId = deletion.getVideoId();
        try {
            // Ask first: a video restored after its VideoRestored event was missed must keep its bytes.
            if (isLive(videoId)) {
                finish(deletion, DeletionStatus.CANCELLED, "the video is live again");
                return;
            }
            objects.remove(deletion.getObjectKey());
            try {
                videoService.purge(videoId);
            } catch (RuntimeException e) {
                if (status(e) == 409) {
                    // restored between our check and now; its object is gone, which the owner must hear about
                    log.error("video {} was restored while its object was being purged", videoId);
                    finish(deletion, DeletionStatus.FAILED, "restored during the purge; the object is gone");
                    return;
                }
                throw e;
            }
            deletion.setPurgedAt(DeletionLedger.now());
            finish(deletion, DeletionStatus.DONE, null);
            log.info("purged video {}", videoId);
        } catch (Exception e) {
            failed(deletion, e);
        }
    }

    private boolean isLive(long videoId) {
        try {
            return !"DELETED".equals(videoService.video(videoId).status());
        } catch (RuntimeException e) {
            if (status(e) == 404) {
                return false; // the row is already purged; only the object may remain
            }
            throw e;
        }
    }

    private void finish(VideoDeletion deletion, DeletionStatus status, String note) {
        deletion.setStatus(status);
        deletion.setLastError(note);
        deletion.setUpdatedAt(DeletionLedger.now());
        deletions.updateById(deletion);
    }

    private void failed(VideoDeletion deletion, Exception e) {
        failures.increment();
        int attempts = deletion.getAttempts() + 1;
        deletion.setAttempts(attempts);
        deletion.setLastError(describe(e));
        LocalDateTime now = DeletionLedger.now();
        deletion.setUpdatedAt(now);
        if (attempts >= properties.maxAttempts()) {
            deletion.setStatus(DeletionStatus.FAILED);
            log.error("giving up purging video {} after {} attempts", deletion.getVideoId(), attempts, e);
        } else {
            deletion.setDueAt(now.plus(backoff(attempts)));
            log.warn("purging video {} failed (attempt {}): {}", deletion.getVideoId(), attempts, describe(e));
        }
        deletions.updateById(deletion);
    }

    private Duration backoff(int attempts) {
        Duration delay = properties.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        return delay.compareTo(properties.maxRetryBackoff()) > 0 ? properties.maxRetryBackoff() : delay;
    }

    /** The HTTP status behind a Feign failure (possibly wrapped by the circuit breaker), or -1. */
    private static int status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FeignException feign) {
                return feign.status();
            }
        }
        return -1;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root == e ? e.toString() : e.getClass().getSimpleName() + ": " + root;
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) : text;
    }
}
