package io.barrage.danmaku.video;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long danmaku-service trusts what video-service said about a video: {@code ttl} for a ready one,
 * {@code missingTtl} for one that is unknown or not ready (a video may become ready any moment).
 */
@ConfigurationProperties("barrage.danmaku.video-cache")
record VideoCacheProperties(Duration ttl, Duration missingTtl) {}
