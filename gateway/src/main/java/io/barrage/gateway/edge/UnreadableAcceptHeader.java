package io.barrage.gateway.edge;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * An {@code Accept} header that is not a list of media types ({@code garbage}, {@code application/json;q=x})
 * is dropped, as if the client had sent none. Left in place it made every error answer empty: a problem
 * body could not be negotiated against it, by the gateway or by a service (found by the fuzz test).
 * RFC 9110 §12.5.1 lets a server disregard an Accept it cannot use. An empty {@code Content-Type} goes
 * too (a service's form filter failed on it with a 500); an unreadable one is left for the service's 415.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class UnreadableAcceptHeader implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        HttpHeaders given = exchange.getRequest().getHeaders();
        var accept = given.get(HttpHeaders.ACCEPT);
        boolean dropAccept = accept != null && !readable(accept);
        var contentType = given.get(HttpHeaders.CONTENT_TYPE);
        boolean dropContentType = contentType != null && contentType.stream().anyMatch(String::isBlank);
        if (!dropAccept && !dropContentType) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate()
                .request(request -> request.headers(headers -> {
                    if (dropAccept) {
                        headers.remove(HttpHeaders.ACCEPT);
                    }
                    if (dropContentType) {
                        headers.remove(HttpHeaders.CONTENT_TYPE);
                    }
                }))
                .build());
    }

    static boolean readable(java.util.List<String> values) {
        try {
            for (String value : values) {
                MediaType.parseMediaTypes(value);
            }
            return true;
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
