package io.barrage.danmaku.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code max}: no danmaku past this playback time, whatever duration a video claims. */
@ConfigurationProperties("barrage.danmaku.playback")
public record PlaybackProperties(Duration max) {}
