package io.barrage.platform.redis;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param failFast no retries on a failed Redis command (Redisson's default is 4 × 3 s), and connections
 *     made on first use, so a Redis that is down neither holds requests nor stops the start
 */
@ConfigurationProperties("barrage.platform.redis")
public record RedisOutageProperties(@DefaultValue("true") boolean failFast) {}
