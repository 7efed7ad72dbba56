package io.barrage.danmaku.recall;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** A danmaku can be recalled for {@code window} after it was sent, at most {@code perDay} times per user per UTC day. */
@ConfigurationProperties("barrage.danmaku.recall")
public record RecallProperties(Duration window, int perDay) {}
