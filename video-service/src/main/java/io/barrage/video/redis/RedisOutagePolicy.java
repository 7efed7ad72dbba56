package io.barrage.video.redis;

import org.redisson.spring.starter.RedissonAutoConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Redis is a cache here, so a dead Redis must fail fast instead of holding requests through retries. */
@Configuration
class RedisOutagePolicy {

    @Bean
    RedissonAutoConfigurationCustomizer failFastWhenRedisIsDown() {
        return config -> config.useSingleServer().setRetryAttempts(0);
    }
}
