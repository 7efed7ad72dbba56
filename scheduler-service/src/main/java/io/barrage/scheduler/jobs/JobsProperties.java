package io.barrage.scheduler.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code barrage.scheduler.jobs.*}: how often each job runs (a zero or negative interval turns it off),
 * and how often a replica looks whether a job is due.
 */
@ConfigurationProperties("barrage.scheduler.jobs")
record JobsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1s") Duration tick,
        @DefaultValue("30s") Duration viewCountFlush,
        @DefaultValue("10m") Duration hotRankingDecay,
        @DefaultValue("1h") Duration sessionPurge,
        @DefaultValue("1m") Duration rankingRefresh,
        @DefaultValue("15m") Duration uploadCleanup) {}
