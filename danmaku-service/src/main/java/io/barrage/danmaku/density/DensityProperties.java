package io.barrage.danmaku.density;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ttl}: how long a video's cached curve lives (jittered ±10 %); {@code empty-ttl}: the shorter life
 * of an empty curve (the null entry of a video without danmaku); {@code max-playback}: buckets past it are
 * never served (danmaku are refused past it anyway).
 */
@ConfigurationProperties("barrage.danmaku.density")
public record DensityProperties(Duration ttl, Duration emptyTtl, Duration maxPlayback) {}
