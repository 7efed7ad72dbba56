package io.barrage.danmaku.ingest;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.danmaku.idempotency}: how long a finished POST's answer is replayed for its key ({@code
 * ttl}), and how long a key stays claimed by a POST still in flight ({@code claimTtl}).
 */
@ConfigurationProperties("barrage.danmaku.idempotency")
record IdempotencyProperties(Duration ttl, Duration claimTtl) {}
