package io.barrage.video.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.OptionalLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Decides whom a request speaks for. Identity headers are believed only next to a valid service token,
 * so a caller that bypasses the gateway cannot claim to be somebody.
 */
@Component
public class ServiceCredentials {

    static final String TOKEN_HEADER = "X-Service-Token";
    static final String USER_ID_HEADER = "X-User-Id";

    private final byte[] token;

    ServiceCredentials(@Value("${barrage.service-token}") String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean isTrusted(HttpServletRequest request) {
        String presented = request.getHeader(TOKEN_HEADER);
        // constant-time, so the token cannot be guessed byte by byte from response times
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The verified user behind the request, if any. */
    public OptionalLong userId(HttpServletRequest request) {
        if (!isTrusted(request)) {
            return OptionalLong.empty();
        }
        String userId = request.getHeader(USER_ID_HEADER);
        if (userId == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(userId.trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The verified user, or 401 {@code unauthenticated}. */
    public long requireUser(HttpServletRequest request) {
        return userId(request).orElseThrow(ApiException::unauthenticated);
    }
}
