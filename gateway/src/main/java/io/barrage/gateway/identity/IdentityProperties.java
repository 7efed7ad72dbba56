package io.barrage.gateway.identity;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The session check; the defaults are in application.yml.
 *
 * @param userServiceUri base URI of user-service, resolved through the load balancer
 * @param introspectTimeout how long a session check may take before it counts as failed
 * @param sessionCacheTtl how long a check's answer is reused for the same token
 * @param sessionCacheSize how many answers are kept at most
 * @param sessionStaleWindow how long after its last successful check an identity is still served while
 *     user-service cannot be asked (revocations still end it at once)
 * @param sessionCheckRetryAfter the {@code Retry-After} of a 503 for a token that cannot be checked
 */
@ConfigurationProperties("barrage.gateway")
record IdentityProperties(
        String userServiceUri,
        Duration introspectTimeout,
        Duration sessionCacheTtl,
        int sessionCacheSize,
        Duration sessionStaleWindow,
        Duration sessionCheckRetryAfter) {}
