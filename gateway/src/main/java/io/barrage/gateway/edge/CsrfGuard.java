package io.barrage.gateway.edge;

import io.barrage.gateway.identity.DplayerSends;
import io.barrage.platform.problem.ReactiveProblems;
import java.util.Set;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Cross-site request forgery protection for cookie-authenticated writes: a POST, PUT, PATCH or DELETE
 * that carries the session cookie but no {@code Authorization} header must also carry {@code
 * X-Barrage-Csrf: 1}, else 403 {@code csrf-rejected}.
 *
 * <p>A cross-site form or a "simple" cross-site fetch cannot set a custom header, and a fetch that sets
 * one needs a CORS preflight, which {@code CorsAllowList} refuses for origins not on the allow list. So
 * the header proves the request came from a page the gateway allows, on top of {@code SameSite=Lax} and
 * the Origin check. Bearer callers are exempt: a browser never attaches an Authorization header on its
 * own, so such a request cannot be forged. The check looks only at the cookie's presence, not at its
 * validity, so it costs no session lookup and a stale cookie cannot be used to probe it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class CsrfGuard implements WebFilter {

    static final String HEADER = "X-Barrage-Csrf";
    private static final String COOKIE = "BARRAGE_SESSION";
    private static final Set<HttpMethod> WRITES =
            Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

    private final ApplicationContext publicContext;

    CsrfGuard(ApplicationContext publicContext) {
        this.publicContext = publicContext;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getApplicationContext() != publicContext || !needsProof(exchange.getRequest())) {
            return chain.filter(exchange);
        }
        if ("1".equals(exchange.getRequest().getHeaders().getFirst(HEADER))) {
            return chain.filter(exchange);
        }
        return ReactiveProblems.write(
                exchange,
                HttpStatus.FORBIDDEN,
                "csrf-rejected",
                "A write authenticated by the session cookie must carry the header " + HEADER + ": 1.");
    }

    private static boolean needsProof(ServerHttpRequest request) {
        if (!WRITES.contains(request.getMethod())) {
            return false;
        }
        // the cookie is no credential on the DPlayer send: only its body token or a bearer token is
        if (DplayerSends.matches(request)) {
            return false;
        }
        // Only a bearer token counts: browsers re-send cached Basic credentials on their own.
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null
                && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                && !authorization.substring(7).isBlank()) {
            return false;
        }
        HttpCookie cookie = request.getCookies().getFirst(COOKIE);
        return cookie != null && !cookie.getValue().isBlank();
    }
}
