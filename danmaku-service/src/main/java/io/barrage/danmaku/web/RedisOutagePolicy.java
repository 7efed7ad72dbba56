package io.barrage.danmaku.web;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis holds only rate buckets, idempotency keys and history caches here, all of which degrade (see
 * AbuseGuard, IdempotencyStore, HistoryCache), so a dead Redis must fail fast rather than hold requests
 * through Redisson's retries, and must not keep the service from starting: connections are made on first
 * use.
 */
@Configuration
class RedisOutagePolicy {

    @Bean
    RedissonAutoConfigurationCustomizer failFastWhenRedisIsDown() {
        return config -> {
            config.setLazyInitialization(true);
            config.useSingleServer().setRetryAttempts(0);
        };
    }
}
