package io.barrage.gateway.identity;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
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
        @DefaultValue("http://user-service") String userServiceUri,
        @DefaultValue("2s") Duration introspectTimeout,
        @DefaultValue("5s") Duration sessionCacheTtl,
        @DefaultValue("10000") int sessionCacheSize,
        @DefaultValue("2m") Duration sessionStaleWindow,
        @DefaultValue("5s") Duration sessionCheckRetryAfter) {}
