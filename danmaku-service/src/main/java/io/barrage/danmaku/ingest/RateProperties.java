package io.barrage.danmaku.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.danmaku.rate}: each user may send {@code userBurst} danmaku at once and one more every
 * {@code userInterval}; each video takes {@code videoBurst} at once and {@code videoPerSecond} after that.
 */
@ConfigurationProperties("barrage.danmaku.rate")
record RateProperties(int userBurst, Duration userInterval, int videoBurst, double videoPerSecond) {}
