package io.barrage.gateway.identity;

import io.barrage.gateway.edge.ClientAddress;
import io.barrage.gateway.limits.JsonBodyProperties;
import io.barrage.platform.credential.ServiceCredential;
import io.barrage.platform.problem.ReactiveProblems;
import io.barrage.platform.requestid.RequestIds;
import java.util.Optional;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * On every proxied request (HTTP and WebSocket): resolves the session token to the verified user and
 * adds {@code X-User-Id}/{@code X-User-Name}, and always adds the service credential, the client's address
 * and the request id ({@link io.barrage.gateway.edge.EdgeRequestIds}), all in one mutation of the request
 * (each copies the header map). Client-sent copies of these headers were already removed by
 * {@link io.barrage.gateway.edge.TrustBoundaryFilter}.
 *
 * <p>A token that user-service cannot check right now gets 503 {@code session-check-unavailable} with
 * Retry-After, never an anonymous pass (see {@link SessionIntrospector} for the stale window). On the
 * DPlayer send the token may also come in the JSON body ({@link DplayerSends}).
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
    private final IdentityProperties properties;
    private final int maxBodyBytes;

    IdentityFilter(
            SessionIntrospector introspector,
            ClientAddress clientAddress,
            IdentityProperties properties,
            JsonBodyProperties bodies,
            ServiceCredential credential) {
        this.introspector = introspector;
        this.clientAddress = clientAddress;
        this.properties = properties;
        this.serviceToken = credential.token();
        this.maxBodyBytes =
                (int) Math.min(Integer.MAX_VALUE, bodies.maxJsonBody().toBytes());
    }

    @Override
    public int getOrder() {
        // before the load balancer and routing filters, which have high order values
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (DplayerSends.matches(exchange.getRequest())
                && bearerOf(exchange.getRequest()).isEmpty()) {
            return withDplayerBodyToken(exchange, chain);
        }
        return filter(exchange, chain, tokenOf(exchange.getRequest()));
    }

    private Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain, Optional<String> token) {
        String requestId = exchange.getAttributeOrDefault(RequestIds.ATTRIBUTE, "");
        if (token.isEmpty()) {
            return forward(exchange, chain, token, Optional.empty());
        }
        return introspector
                .identify(token.get(), requestId)
                .map(Checked::of)
                .onErrorResume(SessionCheckUnavailable.class, e -> Mono.just(Checked.UNAVAILABLE))
                .flatMap(checked -> checked.unavailable()
                        ? sessionCheckUnavailable(exchange)
                        : forward(exchange, chain, token, checked.user()));
    }

    /** The answer of a session check, or that there was none to be had. */
    private record Checked(Optional<Identity> user, boolean unavailable) {
        static final Checked UNAVAILABLE = new Checked(Optional.empty(), true);

        static Checked of(Optional<Identity> user) {
            return new Checked(user, false);
        }
    }

    private Mono<Void> forward(
            ServerWebExchange exchange, GatewayFilterChain chain, Optional<String> token, Optional<Identity> user) {
        user.ifPresent(u -> exchange.getAttributes().put(USER_ID_ATTRIBUTE, u.userId()));
        String clientIp = clientAddress.of(exchange.getRequest());
        String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
        ServerHttpRequest request = exchange.getRequest()
                .mutate()
                .headers(headers -> {
                    if (requestId != null) {
                        headers.set(RequestIds.HEADER, requestId);
                    }
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
        Mono<Void> forwarded = chain.filter(exchange.mutate().request(request).build());
        if (token.isPresent() && isLogout(exchange.getRequest())) {
            return forwarded.doFinally(signal -> introspector.forget(token.get()));
        }
        return forwarded;
    }

    /**
     * A presented token that cannot be checked right now is neither anonymous nor signed out: answering
     * it as anonymous would tell a logged-in user to sign in (a 401 on a write, a logged-out page on a
     * read). So every route, reads included, answers 503 with Retry-After, and the client tries again.
     */
    private Mono<Void> sessionCheckUnavailable(ServerWebExchange exchange) {
        long seconds = Math.max(1, properties.sessionCheckRetryAfter().toSeconds());
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return ReactiveProblems.write(
                exchange,
                HttpStatus.SERVICE_UNAVAILABLE,
                "session-check-unavailable",
                "Your session cannot be checked right now; you are still signed in. Try again shortly.");
    }

    /**
     * Reads the small JSON body of a DPlayer send (bounded like every JSON body), takes its {@code token}
     * as the bearer token, and hands danmaku-service the same bytes.
     */
    private Mono<Void> withDplayerBodyToken(ServerWebExchange exchange, GatewayFilterChain chain) {
        ServerHttpRequest original = exchange.getRequest();
        return DataBufferUtils.join(original.getBody(), maxBodyBytes)
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .flatMap(bytes -> {
                    ServerHttpRequest replayed = new ServerHttpRequestDecorator(original) {
                        @Override
                        public Flux<DataBuffer> getBody() {
                            return Flux.defer(() -> Flux.just(
                                    exchange.getResponse().bufferFactory().wrap(bytes)));
                        }
                    };
                    ServerWebExchange replaying =
                            exchange.mutate().request(replayed).build();
                    return filter(replaying, chain, DplayerSends.tokenIn(bytes));
                })
                .onErrorResume(
                        DataBufferLimitException.class,
                        e -> ReactiveProblems.write(
                                exchange,
                                HttpStatus.CONTENT_TOO_LARGE,
                                "payload-too-large",
                                "The body is larger than " + maxBodyBytes + " bytes."));
    }

    private static boolean isLogout(ServerHttpRequest request) {
        return request.getMethod() == HttpMethod.DELETE
                && LOGOUT_PATH.equals(request.getPath().pathWithinApplication().value());
    }

    static Optional<String> tokenOf(ServerHttpRequest request) {
        Optional<String> bearer = bearerOf(request);
        if (bearer.isPresent()) {
            return bearer;
        }
        HttpCookie cookie = request.getCookies().getFirst(COOKIE);
        if (cookie != null && !cookie.getValue().isBlank()) {
            return Optional.of(cookie.getValue());
        }
        return Optional.empty();
    }

    private static Optional<String> bearerOf(ServerHttpRequest request) {
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        return Optional.empty();
    }
}
