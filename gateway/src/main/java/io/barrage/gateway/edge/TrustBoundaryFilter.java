package io.barrage.gateway.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The gateway's trust boundary, first thing on every request: drop every header through which a client
 * could claim an identity ({@code X-User-*}), the service credential or a client address. Only then does
 * the platform's request id filter (next in order) give the request the id that the services log and echo.
 *
 * <p>The client's {@code Connection} header is settled here too. Each header it names is hop-by-hop,
 * meant for the gateway alone (RFC 9110 §7.6.1), so it is dropped now; only the connection options
 * {@code close}, {@code keep-alive} and {@code upgrade} stay. Left as it came, the proxy's hop-by-hop
 * filter would apply it to the forwarded request after the gateway had added its own headers: a client's
 * {@code Connection: X-User-Id, X-Service-Token, X-Client-Ip} made a service lose the verified user, the
 * credential and the client address the gateway had set.
 *
 * <p>A request with nothing to drop (nearly all of them) is passed on as it is: each {@code mutate()} of a
 * request copies its whole header map, and the one copy a proxied request needs is made by
 * {@link io.barrage.gateway.identity.IdentityFilter}, which adds the gateway's headers.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class TrustBoundaryFilter implements WebFilter {

    private static final Set<String> CONNECTION_OPTIONS = Set.of("close", "keep-alive", "upgrade");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!needsCleaning(exchange.getRequest().getHeaders())) {
            return chain.filter(exchange);
        }
        ServerHttpRequest request = exchange.getRequest()
                .mutate()
                .headers(headers -> {
                    List<String> forbidden = headers.headerNames().stream()
                            .filter(TrustBoundaryFilter::isForbidden)
                            .toList();
                    forbidden.forEach(headers::remove);
                    settleConnection(headers);
                })
                .build();
        return chain.filter(exchange.mutate().request(request).build());
    }

    private static boolean needsCleaning(HttpHeaders headers) {
        for (String name : headers.headerNames()) {
            if (isForbidden(name)) {
                return true;
            }
        }
        for (String token : headers.getConnection()) {
            String name = token.strip().toLowerCase(Locale.ROOT);
            if (!CONNECTION_OPTIONS.contains(name) || !name.equals(token)) {
                return true;
            }
        }
        return false;
    }

    private static void settleConnection(HttpHeaders headers) {
        List<String> tokens = headers.getConnection();
        if (tokens.isEmpty()) {
            return;
        }
        List<String> options = new ArrayList<>();
        for (String token : tokens) {
            String name = token.strip().toLowerCase(Locale.ROOT);
            if (CONNECTION_OPTIONS.contains(name)) {
                options.add(token.strip());
            } else if (!name.isEmpty()) {
                headers.remove(name);
            }
        }
        if (options.isEmpty()) {
            headers.remove(HttpHeaders.CONNECTION);
        } else {
            headers.setConnection(options);
        }
    }

    private static boolean isForbidden(String header) {
        String name = header.toLowerCase(Locale.ROOT);
        return name.startsWith("x-user-") || name.equals("x-service-token") || name.equals("x-client-ip");
    }
}
