package io.barrage.user.session;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param ttl how long a session lives after login
 * @param cookieSecure whether the session cookie is sent over HTTPS only (set it behind TLS)
 */
@ConfigurationProperties("barrage.session")
record SessionProperties(
        @DefaultValue("P7D") Duration ttl,
        @DefaultValue("false") boolean cookieSecure) {}
