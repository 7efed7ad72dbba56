package io.barrage.gateway.edge;

import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** What the gateway can tell about a request's body before reading it. */
public final class Bodies {

    private Bodies() {}

    /**
     * An HTTP/1.1 request with neither {@code Content-Length} (or one of 0) nor {@code Transfer-Encoding}
     * has no body (RFC 9112 §6.3): nothing to bound or time, so the filters that guard bodies pass it on
     * as it is. The gateway speaks HTTP/1.1 only (h2c is off), where this rule is the framing itself.
     */
    public static boolean absent(ServerHttpRequest request) {
        HttpHeaders headers = request.getHeaders();
        return headers.getContentLength() <= 0 && !headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }
}
