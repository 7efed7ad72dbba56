package io.barrage.scheduler.deletion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Wakes up every {@code barrage.scheduler.purge-interval} and purges what is due, batch by batch. */
@Component
class PurgeJob {

    private static final Logger log = LoggerFactory.getLogger(PurgeJob.class);

    private final DeletionPurger purger;
    private final SchedulerProperties properties;

    PurgeJob(DeletionPurger purger, SchedulerProperties properties) {
        this.purger = purger;
        this.properties = properties;
    }

    @Scheduled(
            fixedDelayString = "${barrage.scheduler.purge-interval:10s}",
            initialDelayString = "${barrage.scheduler.purge-interval:10s}")
    void run() {
        try {
            // a full batch means there may be more; a short one means we are caught up
            while (purger.purgeDueBatch() == properties.batchSize()) {
                log.debug("purged a full batch, continuing");
            }
        } catch (RuntimeException e) {
            log.warn("purge run failed; the next run retries", e);
        }
    }
}
