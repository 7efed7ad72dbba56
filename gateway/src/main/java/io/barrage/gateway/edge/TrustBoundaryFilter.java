package io.barrage.gateway.edge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
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
 * First thing on every request: drop every header through which a client could claim an identity or
 * the service credential, and give the request an id that the services log and echo.
 *
 * <p>The client's {@code Connection} header is settled here too. Each header it names is hop-by-hop,
 * meant for the gateway alone (RFC 9110 §7.6.1), so it is dropped now; only the connection options
 * {@code close}, {@code keep-alive} and {@code upgrade} stay. Left as it came, the proxy's hop-by-hop
 * filter would apply it to the forwarded request after the gateway had added its own headers: a client's
 * {@code Connection: X-User-Id, X-Service-Token, X-Client-Ip} made a service lose the verified user, the
 * credential and the client address the gateway had set.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIdFilter implements WebFilter {

    public static final String REQUEST_ID = "X-Request-Id";
    /** The id of this request, for code that logs outside the request's headers. */
    public static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

    // kept from the client only in a shape that is harmless in logs and headers
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9-]{8,64}");
    private static final Set<String> CONNECTION_OPTIONS = Set.of("close", "keep-alive", "upgrade");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String given = exchange.getRequest().getHeaders().getFirst(REQUEST_ID);
        String id = given != null && VALID.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
        ServerHttpRequest request = exchange.getRequest()
                .mutate()
                .headers(headers -> {
                    List<String> forbidden = headers.headerNames().stream()
                            .filter(RequestIdFilter::isForbidden)
                            .toList();
                    forbidden.forEach(headers::remove);
                    settleConnection(headers);
                    headers.set(REQUEST_ID, id);
                })
                .build();
        exchange.getAttributes().put(ATTRIBUTE, id);
        // set just before commit, so a downstream echo of the header cannot duplicate it
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(REQUEST_ID, id);
            return Mono.empty();
        });
        return chain.filter(exchange.mutate().request(request).build());
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
