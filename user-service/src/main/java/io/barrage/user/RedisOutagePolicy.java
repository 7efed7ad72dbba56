package io.barrage.user;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis is a cache here (sessions fall back to MariaDB, login counters to memory), so a dead Redis must
 * fail fast instead of holding each request through Redisson's default retries (4 × 3 s), and must not
 * keep the service from starting (lazy initialisation: connections are made on first use).
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
