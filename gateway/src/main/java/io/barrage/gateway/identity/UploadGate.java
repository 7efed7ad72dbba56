package io.barrage.gateway.identity;

import io.barrage.platform.problem.ReactiveProblems;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Uploads are the only bodies the gateway lets through unbounded (video-service enforces their own
 * limit), so only a verified user may send one: an anonymous multipart upload ({@code POST
 * /api/v1/videos}) or tus request that carries bytes ({@code POST /api/v1/uploads}, {@code PATCH
 * /api/v1/uploads/**}) gets 401 {@code unauthenticated} right after the session check, before a byte
 * of its body is read or forwarded.
 */
@Component
class UploadGate implements GlobalFilter, Ordered {

    private static final String MULTIPART_PATH = "/api/v1/videos";
    private static final String RESUMABLE_PATH = "/api/v1/uploads";

    @Override
    public int getOrder() {
        // right after IdentityFilter, which has put the verified user (if any) on the exchange
        return Ordered.HIGHEST_PRECEDENCE + 101;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        if (!isUpload(exchange.getRequest()) || exchange.getAttribute(IdentityFilter.USER_ID_ATTRIBUTE) != null) {
            return chain.filter(exchange);
        }
        return ReactiveProblems.write(
                exchange, HttpStatus.UNAUTHORIZED, "unauthenticated", "Log in to upload a video.");
    }

    static boolean isUpload(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.POST) {
            return path.equals(MULTIPART_PATH) || path.equals(RESUMABLE_PATH) || path.equals(RESUMABLE_PATH + "/");
        }
        return method == HttpMethod.PATCH && path.startsWith(RESUMABLE_PATH + "/");
    }
}
