package io.barrage.gateway.identity;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param userServiceUri base URI of user-service, resolved through the load balancer
 * @param introspectTimeout how long a session check may take before the request goes on anonymous
 * @param sessionCacheTtl how long a check's answer is reused for the same token
 * @param sessionCacheSize how many answers are kept at most
 */
@ConfigurationProperties("barrage.gateway")
record IdentityProperties(
        @DefaultValue("http://user-service") String userServiceUri,
        @DefaultValue("2s") Duration introspectTimeout,
        @DefaultValue("5s") Duration sessionCacheTtl,
        @DefaultValue("10000") int sessionCacheSize) {}
