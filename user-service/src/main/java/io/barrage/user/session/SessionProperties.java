package io.barrage.user.session;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param ttl sliding lifetime: a session unused for this long ends
 * @param maxAge absolute lifetime: a session ends this long after login however much it is used
 * @param touchInterval how often use of a session is written to the database (and checked against it)
 * @param cookieSecure whether the session cookie is sent over HTTPS only (set it behind TLS)
 * @param databaseRetryInterval after a failed database call, how long session checks answer from Redis
 *     alone before one of them tries the database again
 */
@ConfigurationProperties("barrage.session")
record SessionProperties(
        @DefaultValue("P7D") Duration ttl,
        @DefaultValue("P30D") Duration maxAge,
        @DefaultValue("1m") Duration touchInterval,
        @DefaultValue("false") boolean cookieSecure,
        @DefaultValue("5s") Duration databaseRetryInterval) {}
