package io.barrage.scheduler.deletion;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Wakes up every {@code barrage.scheduler.purge-interval} and purges what is due, batch by batch. Reports
 * what an SRE needs to see it working: the backlog of due deletions, the last successful run, how long
 * runs take and how many deletions they handled.
 */
@Component
class PurgeJob {

    private static final Logger log = LoggerFactory.getLogger(PurgeJob.class);

    private final DeletionPurger purger;
    private final VideoDeletionMapper deletions;
    private final SchedulerProperties properties;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
    private final Timer duration;
    private final Counter items;

    PurgeJob(
            DeletionPurger purger,
            VideoDeletionMapper deletions,
            SchedulerProperties properties,
            MeterRegistry meters) {
        this.purger = purger;
        this.deletions = deletions;
        this.properties = properties;
        Gauge.builder("barrage.scheduler.purge.backlog", backlog, AtomicLong::get)
                .description("Deletions past their grace period and not yet purged")
                .register(meters);
        Gauge.builder("barrage.scheduler.purge.failed", deadLettered, AtomicLong::get)
                .description(
                        "Deletions in the dead letter (FAILED), waiting for POST /internal/v1/deletions/{id}/retry")
                .register(meters);
        Gauge.builder("barrage.scheduler.job.last.success", lastSuccessEpochSeconds, AtomicLong::get)
                .description("When the job last completed a run, in seconds since the epoch")
                .tag("job", "purge")
                .register(meters);
        this.duration = Timer.builder("barrage.scheduler.job.duration")
                .description("How long a run of the job took")
                .tag("job", "purge")
                .register(meters);
        this.items = Counter.builder("barrage.scheduler.job.items")
                .description("Deletions the job handled (purged, cancelled or failed)")
                .tag("job", "purge")
                .register(meters);
    }

    @Scheduled(
            fixedDelayString = "${barrage.scheduler.purge-interval}",
            initialDelayString = "${barrage.scheduler.purge-interval}")
    void run() {
        Timer.Sample sample = Timer.start();
        try {
            int claimed;
            // a full batch means there may be more; a short one means we are caught up
            do {
                claimed = purger.purgeDueBatch();
                items.increment(claimed);
            } while (claimed == properties.batchSize());
            lastSuccessEpochSeconds.set(System.currentTimeMillis() / 1000);
        } catch (RuntimeException e) {
            log.warn("purge run failed; the next run retries", e);
        } finally {
            sample.stop(duration);
            refreshBacklog();
        }
    }

    private void refreshBacklog() {
        try {
            backlog.set(deletions.countDue());
            deadLettered.set(deletions.countFailed());
        } catch (RuntimeException e) {
            log.warn("could not count the purge backlog", e);
        }
    }
}
