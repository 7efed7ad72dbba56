package io.barrage.platform.requestid;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param enabled take, make and echo request ids on HTTP, and carry them on Feign calls and Kafka records
 */
@ConfigurationProperties("barrage.platform.request-id")
public record RequestIdProperties(@DefaultValue("true") boolean enabled) {}
