package io.barrage.danmaku.uploader;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code cache-ttl}: how long an instance trusts what it read about a video being closed. The instance
 * that closes a video knows at once; the others within this time.
 */
@ConfigurationProperties("barrage.danmaku.closed-videos")
public record ClosedVideosProperties(Duration cacheTtl) {}
