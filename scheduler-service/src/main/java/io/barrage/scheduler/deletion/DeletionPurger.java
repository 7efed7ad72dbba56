package io.barrage.scheduler.deletion;

import feign.FeignException;
import io.barrage.scheduler.ReplicaProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Purges due videos in four steps: (1) every object under the video's prefix in the S3 store, (2) its
 * danmaku through danmaku-service, in batches, (3)+(4) through video-service its Redis keys and then its
 * row. A record is claimed for a lease in one short transaction; each step's completion is then
 * committed on its own, fenced by the claim and renewing the lease. A replica that dies mid-purge leaves
 * the record at the step it reached; once the lease runs out another replica claims it and continues
 * there. Every step is idempotent, so repeating the one that was in flight is harmless.
 */
@Service
class DeletionPurger {

    private static final Logger log = LoggerFactory.getLogger(DeletionPurger.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final VideoDeletionMapper deletions;
    private final DeletionAuditMapper audit;
    private final ObjectRemover objects;
    private final VideoServiceClient videoService;
    private final DanmakuServiceClient danmakuService;
    private final SchedulerProperties properties;
    private final TransactionTemplate tx;
    private final String instance;
    private final AtomicLong claims = new AtomicLong();
    private final Counter failures;
    private final Counter deadLetters;
    private final Counter purged;

    DeletionPurger(
            VideoDeletionMapper deletions,
            DeletionAuditMapper audit,
            ObjectRemover objects,
            VideoServiceClient videoService,
            DanmakuServiceClient danmakuService,
            SchedulerProperties properties,
            ReplicaProperties replica,
            PlatformTransactionManager transactions,
            MeterRegistry meters) {
        this.deletions = deletions;
        this.audit = audit;
        this.objects = objects;
        this.videoService = videoService;
        this.danmakuService = danmakuService;
        this.properties = properties;
        this.tx = new TransactionTemplate(transactions);
        this.instance = replica.name();
        this.failures = Counter.builder("barrage.scheduler.purge.failures")
                .description("Purge attempts that failed (each is retried with backoff, then dead-lettered)")
                .register(meters);
        this.deadLetters = Counter.builder("barrage.scheduler.purge.dead.letters")
                .description("Deletions that gave up after the last attempt and wait in FAILED for a retry")
                .register(meters);
        this.purged = Counter.builder("barrage.scheduler.purge.purged")
                .description("Videos purged completely")
                .register(meters);
    }

    String instance() {
        return instance;
    }

    /** Claims one batch of due records and purges them; returns how many it claimed. */
    int purgeDueBatch() {
        List<VideoDeletion> claimed = claimBatch();
        for (VideoDeletion deletion : claimed) {
            purge(deletion);
        }
        return claimed.size();
    }

    private List<VideoDeletion> claimBatch() {
        String claim = instance + "#" + claims.incrementAndGet();
        long lease = micros(properties.claimLease());
        List<VideoDeletion> claimed = tx.execute(status -> {
            List<VideoDeletion> due = deletions.lockClaimable(properties.batchSize());
            for (VideoDeletion deletion : due) {
                deletions.claim(deletion.getVideoId(), claim, lease);
                deletion.setClaimedBy(claim);
            }
            return due;
        });
        return claimed == null ? List.of() : claimed;
    }

    /**
     * Runs the record's remaining steps in order; each one that completes is committed before the next.
     * A failure is recorded for a retry; a lost claim stops here and leaves the rest to the new holder.
     */
    private void purge(VideoDeletion deletion) {
        try {
            // Ask first: a video restored after its VideoRestored event was missed must keep its bytes.
            if (isLive(deletion.getVideoId())) {
                keepRestored(deletion);
                return;
            }
            if (deletion.getStep() == PurgeStep.OBJECTS && !removeObjects(deletion)) {
                return;
            }
            if (deletion.getStep() == PurgeStep.DANMAKU && !removeDanmaku(deletion)) {
                return;
            }
            removeVideo(deletion);
        } catch (Exception e) {
            failed(deletion, e);
        }
    }

    /** The video is live again: untouched, the deletion is cancelled; partly purged, it is dead-lettered. */
    private void keepRestored(VideoDeletion deletion) {
        if (deletion.getStep() == PurgeStep.OBJECTS) {
            end(deletion, DeletionStatus.CANCELLED, PurgeStep.OBJECTS, "the video is live again", "CANCELLED");
        } else {
            restoredTooLate(deletion, deletion.getStep());
        }
    }

    /** Step 1: every object under the video's prefix in the S3 store. */
    private boolean removeObjects(VideoDeletion deletion) throws Exception {
        int removed = objects.removeAll(deletion.getVideoId(), deletion.getObjectKey());
        return advance(deletion, PurgeStep.OBJECTS, PurgeStep.DANMAKU, removed, 0, "OBJECTS_REMOVED");
    }

    /** Step 2: the video's danmaku, through danmaku-service, one batch at a time. */
    private boolean removeDanmaku(VideoDeletion deletion) {
        long n;
        while ((n = danmakuService
                        .purgeVideo(deletion.getVideoId(), properties.danmakuBatch())
                        .deleted())
                > 0) {
            // each batch is counted and renews the lease: a video with a million danmaku is work in
            // progress, not a dead replica
            if (!advance(deletion, PurgeStep.DANMAKU, PurgeStep.DANMAKU, 0, n, null)) {
                return false;
            }
        }
        return advance(deletion, PurgeStep.DANMAKU, PurgeStep.VIDEO, 0, 0, "DANMAKU_REMOVED");
    }

    /** Steps 3 and 4: through video-service, its Redis keys and then its row; then the record is done. */
    private void removeVideo(VideoDeletion deletion) {
        long videoId = deletion.getVideoId();
        try {
            videoService.purge(videoId);
        } catch (RuntimeException e) {
            if (status(e) == 409) {
                restoredTooLate(deletion, deletion.getStep());
                return;
            }
            throw e;
        }
        if (end(deletion, DeletionStatus.DONE, PurgeStep.DONE, null, "PURGED")) {
            purged.increment();
            log.info("purged video {}", videoId);
        }
    }

    private void restoredTooLate(VideoDeletion deletion, PurgeStep step) {
        // the owner must hear about this: the video is back but some of it is already gone
        log.error("video {} was restored while it was being purged (at step {})", deletion.getVideoId(), step);
        if (end(
                deletion,
                DeletionStatus.FAILED,
                step,
                "restored during the purge; removed before: " + step,
                "FAILED")) {
            deadLetters.increment();
        }
    }

    private boolean isLive(long videoId) {
        try {
            return !"DELETED".equals(videoService.video(videoId).status());
        } catch (RuntimeException e) {
            if (status(e) == 404) {
                return false; // the row is already purged; only the rest may remain
            }
            throw e;
        }
    }

    /** Commits a step (and its audit entry, if any); false when the claim was lost, and the purge stops. */
    private boolean advance(
            VideoDeletion deletion, PurgeStep from, PurgeStep to, int objectsRemoved, long danmaku, String action) {
        long videoId = deletion.getVideoId();
        String claim = deletion.getClaimedBy();
        Boolean ok = tx.execute(status -> {
            if (deletions.advance(videoId, claim, from, to, objectsRemoved, danmaku, micros(properties.claimLease()))
                    != 1) {
                return false;
            }
            if (action != null) {
                VideoDeletion now = deletions.selectById(videoId);
                audit.append(videoId, action, null, instance, now.getObjectsRemoved(), now.getDanmakuRemoved(), null);
            }
            return true;
        });
        if (!Boolean.TRUE.equals(ok)) {
            log.warn("lost the claim on video {} at step {}; leaving it to whoever holds it now", videoId, from);
            return false;
        }
        deletion.setStep(to);
        return true;
    }

    private boolean end(VideoDeletion deletion, DeletionStatus outcome, PurgeStep step, String note, String action) {
        long videoId = deletion.getVideoId();
        Boolean ok = tx.execute(status -> {
            if (deletions.finish(videoId, deletion.getClaimedBy(), outcome, step, note) != 1) {
                return false;
            }
            VideoDeletion now = deletions.selectById(videoId);
            audit.append(videoId, action, null, instance, now.getObjectsRemoved(), now.getDanmakuRemoved(), note);
            return true;
        });
        if (!Boolean.TRUE.equals(ok)) {
            log.warn("lost the claim on video {} before recording {}", videoId, outcome);
            return false;
        }
        return true;
    }

    private void failed(VideoDeletion deletion, Exception e) {
        failures.increment();
        long videoId = deletion.getVideoId();
        int attempts = deletion.getAttempts() + 1;
        boolean dead = attempts >= properties.maxAttempts();
        String error = describe(e);
        Boolean ok;
        try {
            ok = tx.execute(status -> {
                int updated = deletions.attemptFailed(
                        videoId,
                        deletion.getClaimedBy(),
                        dead ? DeletionStatus.FAILED : DeletionStatus.PENDING,
                        attempts,
                        DeletionLedger.now().plus(backoff(attempts)),
                        error);
                if (updated != 1) {
                    return false;
                }
                audit.append(
                        videoId,
                        dead ? "DEAD_LETTERED" : "ATTEMPT_FAILED",
                        null,
                        instance,
                        null,
                        null,
                        "attempt " + attempts + " at step " + deletion.getStep() + ": " + error);
                return true;
            });
        } catch (RuntimeException recordFailure) {
            // the database is gone too; the claim runs out and another attempt follows
            log.warn("could not record the failed purge of video {}: {}", videoId, recordFailure.toString());
            return;
        }
        if (!Boolean.TRUE.equals(ok)) {
            return;
        }
        if (dead) {
            deadLetters.increment();
            log.error("giving up purging video {} after {} attempts", videoId, attempts, e);
        } else {
            log.warn("purging video {} failed (attempt {}): {}", videoId, attempts, error);
        }
    }

    private Duration backoff(int attempts) {
        Duration delay = properties.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        return delay.compareTo(properties.maxRetryBackoff()) > 0 ? properties.maxRetryBackoff() : delay;
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
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
