package io.barrage.video.stats;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.video.hot}: the hot ranking's decay half-life, the score below which a video leaves it,
 * and the most videos it holds.
 */
@ConfigurationProperties("barrage.video.hot")
record HotProperties(Duration halfLife, double minScore, int maxSize) {}
