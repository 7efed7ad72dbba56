package io.barrage.gateway.edge;

import io.barrage.platform.requestid.ReactiveRequestIdFilter;
import io.barrage.platform.requestid.RequestIds;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The gateway's request id: the platform's rule (the caller's id when it has a harmless shape, a new one
 * otherwise) on the exchange and the response, but not yet on the request. The platform's filter writes it
 * onto the request with a {@code mutate()}, a copy of every header; here
 * {@link io.barrage.gateway.identity.IdentityFilter} writes it in the one copy it makes anyway to add the
 * identity and the credential, so a proxied request's headers are copied once by Barrage, not three times.
 * Nothing the gateway answers itself (the web UI, its problems) reads the id from the request.
 */
@Component
public class EdgeRequestIds extends ReactiveRequestIdFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = RequestIds.acceptOrNew(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
        exchange.getAttributes().put(RequestIds.ATTRIBUTE, id);
        // set just before commit, so a downstream echo of the header cannot duplicate it
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(RequestIds.HEADER, id);
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
