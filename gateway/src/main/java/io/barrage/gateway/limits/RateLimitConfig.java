package io.barrage.gateway.limits;

import io.barrage.gateway.edge.ClientAddress;
import io.barrage.gateway.identity.IdentityFilter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

@Configuration
class RateLimitConfig {

    /**
     * A logged-in user is limited as a user, wherever they connect from; anyone else by address. The
     * user id is the one verified by the session check, never a client-sent header.
     */
    @Bean
    KeyResolver userOrAddress(ClientAddress clientAddress) {
        return exchange -> {
            Long userId = exchange.getAttribute(IdentityFilter.USER_ID_ATTRIBUTE);
            if (userId != null) {
                return Mono.just("user:" + userId);
            }
            String ip = clientAddress.of(exchange.getRequest());
            return Mono.just("ip:" + (ip == null ? "unknown" : ip));
        };
    }

    @Bean
    ResilientRateLimiter resilientRateLimiter(
            ReactiveStringRedisTemplate redis,
            @Qualifier(RedisRateLimiter.REDIS_SCRIPT_NAME) RedisScript<List<Long>> script,
            ConfigurationService configurationService,
            LeaseProperties leaseProperties) {
        return new ResilientRateLimiter(redis, script, leaseScript(), configurationService, leaseProperties);
    }

    /** Not a bean: a second {@code RedisScript<List<Long>>} bean would make the library's ambiguous. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static RedisScript<List<Long>> leaseScript() {
        return (RedisScript) RedisScript.of(new ClassPathResource("rate-limits/lease-tokens.lua"), List.class);
    }

    /**
     * While Redis is unreachable, commands fail at once instead of queueing until a timeout, so a
     * request pays nothing for the outage and the local fallback decides.
     */
    @Bean
    LettuceClientConfigurationBuilderCustomizer failFastWhenRedisIsDown() {
        return builder -> builder.clientOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
                .build());
    }
}
