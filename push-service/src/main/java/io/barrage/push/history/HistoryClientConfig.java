package io.barrage.push.history;

import feign.RequestInterceptor;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;

/** The Feign client's own configuration (not component-scanned into the application context). */
class HistoryClientConfig {

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
}
