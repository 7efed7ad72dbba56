package io.barrage.scheduler.deletion;

import feign.FeignException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.cloud.openfeign.FeignClientFactory;
import org.springframework.cloud.openfeign.support.FeignHttpMessageConverters;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class FeignConfig {

    /**
     * Builds each Feign client's child context and message converters before the scheduler starts.
     * Left lazy, the first calls pay for it inside the circuit breaker's time limit, and two first calls
     * at once can see half-initialised converters (spring-cloud-openfeign#1307): the purge and the job
     * ticks make exactly such first calls, on different threads, right after start-up.
     */
    @Bean
    SmartInitializingSingleton feignWarmUp(FeignClientFactory clients) {
        return () -> {
            for (String client : List.of("videoService", "danmakuService", "videoJobs", "userJobs")) {
                FeignHttpMessageConverters converters = clients.getInstance(client, FeignHttpMessageConverters.class);
                if (converters != null) {
                    converters.getConverters();
                }
            }
        };
    }

    /**
     * The policy for calls to video-service: a failing or slow video-service opens the breaker and the
     * purge job stops hammering it (the ledger records the failure and retries later). A 404 or 409 is
     * an answer, not a failure, so it does not count.
     */
    @Bean
    Customizer<Resilience4JCircuitBreakerFactory> circuitBreakerPolicy() {
        return factory -> factory.configureDefault(id -> new Resilience4JConfigBuilder(id)
                .circuitBreakerConfig(CircuitBreakerConfig.custom()
                        .slidingWindowSize(10)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(30))
                        .ignoreExceptions(FeignException.NotFound.class, FeignException.Conflict.class)
                        .build())
                .timeLimiterConfig(TimeLimiterConfig.custom()
                        // above connect + read timeout, so Feign reports a slow peer rather than the limiter
                        .timeoutDuration(Duration.ofSeconds(20))
                        .build())
                .build());
    }
}
