package io.barrage.scheduler.deletion;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code barrage.scheduler.*}: how long a deleted video can still be restored, how often the purge job
 * looks for due records, how it backs off when a purge fails, how long a replica's claim on a purge
 * lasts without progress, and the danmaku batch size.
 */
@ConfigurationProperties("barrage.scheduler")
record SchedulerProperties(
        @DefaultValue("P7D") Duration gracePeriod,
        @DefaultValue("10s") Duration purgeInterval,
        @DefaultValue("30s") Duration retryBackoff,
        @DefaultValue("1h") Duration maxRetryBackoff,
        @DefaultValue("5") int maxAttempts,
        @DefaultValue("20") int batchSize,
        @DefaultValue("5m") Duration claimLease,
        @DefaultValue("1000") int danmakuBatch) {}
