package io.barrage.gateway.identity;

import io.barrage.gateway.edge.ClientAddress;
import io.barrage.gateway.edge.RequestIdFilter;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * On every proxied request (HTTP and WebSocket): resolves the session token to the verified user and
 * adds {@code X-User-Id}/{@code X-User-Name}, and always adds the service credential. Client-sent
 * copies of these headers were already removed by {@link RequestIdFilter}.
 */
@Component
public class IdentityFilter implements GlobalFilter, Ordered {

    /** Exchange attribute: the verified user's id (a Long), absent for anonymous requests. */
    public static final String USER_ID_ATTRIBUTE = IdentityFilter.class.getName() + ".userId";
    /** The client's address as this gateway saw it; services trust it only next to the service token. */
    public static final String CLIENT_IP = "X-Client-Ip";

    static final String COOKIE = "BARRAGE_SESSION";
    private static final String LOGOUT_PATH = "/api/v1/sessions/current";

    private final SessionIntrospector introspector;
    private final ClientAddress clientAddress;
    private final String serviceToken;

    IdentityFilter(
            SessionIntrospector introspector,
            ClientAddress clientAddress,
            @Value("${barrage.service-token}") String serviceToken) {
        this.introspector = introspector;
        this.clientAddress = clientAddress;
        this.serviceToken = serviceToken;
    }

    @Override
    public int getOrder() {
        // before the load balancer and routing filters, which have high order values
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Optional<String> token = tokenOf(exchange.getRequest());
        String requestId = exchange.getAttributeOrDefault(RequestIdFilter.ATTRIBUTE, "");
        Mono<Optional<Identity>> identity =
                token.map(t -> introspector.identify(t, requestId)).orElse(Mono.just(Optional.empty()));
        return identity.flatMap(user -> {
            user.ifPresent(u -> exchange.getAttributes().put(USER_ID_ATTRIBUTE, u.userId()));
            String clientIp = clientAddress.of(exchange.getRequest());
            ServerHttpRequest request = exchange.getRequest()
                    .mutate()
                    .headers(headers -> {
                        headers.set("X-Service-Token", serviceToken);
                        if (clientIp != null) {
                            headers.set(CLIENT_IP, clientIp);
                        }
                        user.ifPresent(u -> {
                            headers.set("X-User-Id", Long.toString(u.userId()));
                            headers.set("X-User-Name", u.username());
                        });
                    })
                    .build();
            Mono<Void> forwarded =
                    chain.filter(exchange.mutate().request(request).build());
            if (token.isPresent() && isLogout(exchange.getRequest())) {
                return forwarded.doFinally(signal -> introspector.forget(token.get()));
            }
            return forwarded;
        });
    }

    private static boolean isLogout(ServerHttpRequest request) {
        return request.getMethod() == HttpMethod.DELETE
                && LOGOUT_PATH.equals(request.getPath().pathWithinApplication().value());
    }

    static Optional<String> tokenOf(ServerHttpRequest request) {
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        HttpCookie cookie = request.getCookies().getFirst(COOKIE);
        if (cookie != null && !cookie.getValue().isBlank()) {
            return Optional.of(cookie.getValue());
        }
        return Optional.empty();
    }
}
