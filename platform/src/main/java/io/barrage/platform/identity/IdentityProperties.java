package io.barrage.platform.identity;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param enabled believe the gateway's {@code X-User-Id} next to the service credential */
@ConfigurationProperties("barrage.platform.identity")
public record IdentityProperties(@DefaultValue("true") boolean enabled) {}
