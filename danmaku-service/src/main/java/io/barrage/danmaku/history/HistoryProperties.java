package io.barrage.danmaku.history;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.danmaku.history}: how long a cached history segment lives ({@code ttl}), and an empty one
 * ({@code emptyTtl}, shorter: the first danmaku of a quiet stretch should show soon).
 */
@ConfigurationProperties("barrage.danmaku.history")
record HistoryProperties(Duration ttl, Duration emptyTtl) {}
