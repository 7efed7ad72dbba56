package io.barrage.danmaku.video;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class VideoClientConfig {

    /**
     * After half of at least five recent calls failed, stop calling for 10 s: a POST then fails fast with
     * 503 instead of every request waiting out the Feign timeouts.
     */
    @Bean
    CircuitBreaker videoServiceCircuitBreaker() {
        return CircuitBreaker.of(
                "video-service",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(20)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(10))
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build());
    }
}
