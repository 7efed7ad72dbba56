package io.barrage.user.web;

import io.barrage.platform.identity.TrustedIdentity;
import jakarta.servlet.http.HttpServletRequest;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The address of the client behind the gateway. {@code X-Client-Ip} is set by the gateway (which strips
 * a client's own copy) and trusted only next to the service credential; anything else is the peer.
 */
@Component
public class ClientAddress {

    public static final String HEADER = "X-Client-Ip";

    // IPv4 or IPv6 text; it becomes part of a Redis key, so nothing else gets through
    private static final Pattern SHAPE = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private final TrustedIdentity identity;

    ClientAddress(TrustedIdentity identity) {
        this.identity = identity;
    }

    public String of(HttpServletRequest request) {
        String forwarded = request.getHeader(HEADER);
        if (forwarded != null && SHAPE.matcher(forwarded).matches() && identity.presentIn(request)) {
            return forwarded;
        }
        return request.getRemoteAddr();
    }
}
