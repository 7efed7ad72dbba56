package io.barrage.danmaku.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Who a request comes from: another service (it carries {@code X-Service-Token}), and the user the gateway
 * vouches for ({@code X-User-Id}, trusted only together with the service credential).
 */
@Component
public class TrustedIdentity {

    private final byte[] serviceToken;

    TrustedIdentity(@Value("${barrage.service-token}") String serviceToken) {
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
    }

    public boolean fromService(HttpServletRequest request) {
        String token = request.getHeader("X-Service-Token");
        return token != null && MessageDigest.isEqual(serviceToken, token.getBytes(StandardCharsets.UTF_8));
    }

    public Optional<CurrentUser> user(HttpServletRequest request) {
        String userId = request.getHeader("X-User-Id");
        if (userId == null || !fromService(request)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new CurrentUser(Long.parseLong(userId)));
        } catch (NumberFormatException ignored) {
            return Optional.empty(); // a malformed identity is no identity
        }
    }
}
