package io.barrage.user;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis is a cache here (sessions fall back to MariaDB, login counters to memory), so a dead Redis must
 * fail fast instead of holding each request through Redisson's default retries (4 × 3 s).
 */
@Configuration
class RedisOutagePolicy {

    @Bean
    RedissonAutoConfigurationCustomizer failFastWhenRedisIsDown() {
        return config -> config.useSingleServer().setRetryAttempts(0);
    }
}
