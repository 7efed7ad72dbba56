package io.barrage.video.redis;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis is a cache here, so a dead Redis must fail fast instead of holding requests through retries, and
 * must not keep the service from starting (lazy initialisation: connections are made on first use).
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
