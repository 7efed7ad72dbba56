package io.barrage.gateway.edge;

import io.barrage.platform.problem.ReactiveProblems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Some gateway filters end a request with a bare status and no body (the rate limiter's 429). This
 * gives such an ending the problem+json body every other error has.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
class EmptyErrorsAsProblems implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        ServerHttpResponseDecorator response = new ServerHttpResponseDecorator(exchange.getResponse()) {
            @Override
            public Mono<Void> setComplete() {
                HttpStatusCode status = getStatusCode();
                if (status != null && status.value() == HttpStatus.TOO_MANY_REQUESTS.value() && !isCommitted()) {
                    // a token bucket refills every second
                    if (!getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)) {
                        getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
                    }
                    return ReactiveProblems.write(
                            getDelegate(),
                            path,
                            HttpStatus.TOO_MANY_REQUESTS,
                            "too-many-requests",
                            "Too many requests; slow down and try again shortly.");
                }
                return super.setComplete();
            }
        };
        return chain.filter(exchange.mutate().response(response).build());
    }
}
