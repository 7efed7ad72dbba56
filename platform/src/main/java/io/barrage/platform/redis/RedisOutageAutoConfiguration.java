package io.barrage.platform.redis;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Every service that has Redis treats it as a cache with a fallback (sessions fall back to MariaDB, rate
 * buckets and idempotency keys degrade, history and video caches read through), so the outage policy is
 * the same everywhere.
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.redisson.spring.starter.RedissonAutoConfigurationCustomizer")
@ConditionalOnBooleanProperty(name = "barrage.platform.redis.fail-fast", matchIfMissing = true)
@EnableConfigurationProperties(RedisOutageProperties.class)
public class RedisOutageAutoConfiguration {

    @Bean
    RedissonAutoConfigurationCustomizer failFastWhenRedisIsDown() {
        return config -> {
            config.setLazyInitialization(true);
            config.useSingleServer().setRetryAttempts(0);
        };
    }
}
