package io.barrage.danmaku.report;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** A user may file at most {@code perUser} reports per {@code window}; past it, 429 with Retry-After. */
@ConfigurationProperties("barrage.danmaku.reports")
public record ReportProperties(int perUser, Duration window) {}
