package io.barrage.danmaku.video;

import feign.RequestInterceptor;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class VideoClientConfig {

    /** Every internal call proves it comes from a service and carries the request id for the logs. */
    @Bean
    RequestInterceptor serviceCredentials(@Value("${barrage.service-token}") String serviceToken) {
        return template -> {
            template.header("X-Service-Token", serviceToken);
            String requestId = MDC.get("requestId");
            if (requestId != null) {
                template.header("X-Request-Id", requestId);
            }
        };
    }

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
