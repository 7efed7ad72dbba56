package io.barrage.gateway.limits;

import io.barrage.platform.problem.ReactiveProblems;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Cross-origin requests are refused (403 {@code origin-not-allowed}) unless their origin is listed in
 * {@code barrage.gateway.cors.allowed-origins}; by default only the web UI's own origin works. The
 * refusal covers WebSocket handshakes too, which browsers send cross-site without any CORS check.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
class CorsAllowList implements WebFilter {

    private final CorsConfiguration config;
    private final DefaultCorsProcessor processor = new DefaultCorsProcessor();

    CorsAllowList(Properties properties) {
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(properties.allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"));
        cors.setAllowedHeaders(List.of(
                "Authorization",
                "Content-Type",
                "X-Request-Id",
                "Range",
                "If-Range",
                "If-Match",
                "Idempotency-Key",
                "X-Barrage-Csrf"));
        cors.setExposedHeaders(
                List.of("X-Request-Id", "Retry-After", "Location", "Content-Range", "Accept-Ranges", "ETag"));
        cors.setAllowCredentials(true);
        cors.setMaxAge(Duration.ofHours(1));
        this.config = cors;
    }

    /** @param allowedOrigins exact origins (scheme://host[:port]) allowed besides the gateway's own */
    @ConfigurationProperties("barrage.gateway.cors")
    record Properties(@DefaultValue List<String> allowedOrigins) {}

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        boolean cors;
        try {
            cors = CorsUtils.isCorsRequest(exchange.getRequest());
        } catch (IllegalArgumentException | IllegalStateException unreadable) {
            // an Origin the URL parser cannot read (a port that is not a number, a broken IPv6 literal)
            // was a 500; it names no origin that could be on the list
            return refuse(exchange);
        }
        if (!cors) {
            return chain.filter(exchange);
        }
        if (config.checkOrigin(exchange.getRequest().getHeaders().getOrigin()) == null) {
            return refuse(exchange);
        }
        boolean valid = processor.process(config, exchange);
        if (!valid) {
            return ReactiveProblems.write(
                    exchange, HttpStatus.FORBIDDEN, "cors-rejected", "This cross-origin request is not allowed.");
        }
        if (CorsUtils.isPreFlightRequest(exchange.getRequest())) {
            return exchange.getResponse().setComplete();
        }
        return chain.filter(exchange);
    }

    private static Mono<Void> refuse(ServerWebExchange exchange) {
        return ReactiveProblems.write(
                exchange, HttpStatus.FORBIDDEN, "origin-not-allowed", "Requests from this origin are not allowed.");
    }
}
