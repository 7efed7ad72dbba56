package io.barrage.danmaku.like;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code highlyLiked}: from this many likes a danmaku carries the "highly liked" marker; {@code
 * flushInterval}: how often pending likes are written to MariaDB; {@code flushBatch}: at most this many
 * likes per flush statement batch; {@code listed}: at most this many danmaku per video in the counts read.
 */
@ConfigurationProperties("barrage.danmaku.likes")
public record LikeProperties(int highlyLiked, Duration flushInterval, int flushBatch, int listed) {}
