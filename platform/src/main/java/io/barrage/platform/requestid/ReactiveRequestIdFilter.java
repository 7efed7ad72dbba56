package io.barrage.platform.requestid;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request the caller's id (or a new one): as an exchange attribute ({@link RequestIds#ATTRIBUTE})
 * for code that logs, on the request itself so whatever it is proxied or handed to sees the same id, and
 * on the response. Runs right after the highest-precedence filter, which at the gateway is the trust
 * boundary: it must drop what a client's {@code Connection} header names before the id is set.
 */
public class ReactiveRequestIdFilter implements WebFilter, Ordered {

    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = RequestIds.acceptOrNew(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
        ServerHttpRequest request = exchange.getRequest()
                .mutate()
                .headers(headers -> headers.set(RequestIds.HEADER, id))
                .build();
        exchange.getAttributes().put(RequestIds.ATTRIBUTE, id);
        // set just before commit, so a downstream echo of the header cannot duplicate it
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
            return Mono.empty();
        });
        return chain.filter(exchange.mutate().request(request).build());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
