package io.barrage.gateway.shard;

import io.barrage.platform.problem.ReactiveProblems;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses a malformed room request with 400 before it is routed. The gateway's WebSocket proxy completes
 * the client's upgrade (101) before it connects to push-service, so push-service's own 400 for a bad path
 * or {@code since} would reach the client only as a close with 1002 ("Protocol error"), which says nothing
 * about what was wrong. Rooms are {@code /ws/v1/videos/{id}[?since={seq}]}: an id of 1 or more, a seq of 0
 * or more; anything else under {@code /ws/} is not a room.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20) // after the request id
class RoomRequests implements WebFilter {

    private static final Pattern ROOM = Pattern.compile("/ws/v1/videos/0*[1-9][0-9]{0,17}");
    private static final Pattern SEQ = Pattern.compile("[0-9]{1,18}");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().value();
        if (!path.startsWith("/ws/")) {
            return chain.filter(exchange);
        }
        if (!ROOM.matcher(path).matches()) {
            return ReactiveProblems.write(
                    exchange,
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "A room is /ws/v1/videos/{id}, with the id of a video.");
        }
        String since = exchange.getRequest().getQueryParams().getFirst("since");
        if (since != null && !SEQ.matcher(since).matches()) {
            return ReactiveProblems.write(
                    exchange,
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "'since' must be a seq: a whole number, 0 or more.");
        }
        var headers = exchange.getRequest().getHeaders();
        if ("websocket".equalsIgnoreCase(headers.getUpgrade())) {
            // Reactor Netty's handshaker would answer these with a bare 426 or a closed connection
            if (!"13".equals(headers.getFirst("Sec-WebSocket-Version"))) {
                return ReactiveProblems.write(
                        exchange,
                        HttpStatus.UPGRADE_REQUIRED,
                        "websocket-version-unsupported",
                        "Only WebSocket version 13 is spoken here.");
            }
            if (!validKey(headers.getFirst("Sec-WebSocket-Key"))) {
                return ReactiveProblems.write(
                        exchange,
                        HttpStatus.BAD_REQUEST,
                        "invalid-request",
                        "Sec-WebSocket-Key must be 16 bytes in base64.");
            }
        }
        return chain.filter(exchange);
    }

    /** RFC 6455 §4.1: the key is a base64-encoded 16-byte nonce. */
    static boolean validKey(String key) {
        if (key == null || key.length() != 24) {
            return false;
        }
        try {
            return java.util.Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
