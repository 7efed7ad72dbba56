package io.barrage.user.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Checks the shared service token that the gateway and other services send in {@code X-Service-Token}. */
@Component
public class ServiceCredential {

    public static final String HEADER = "X-Service-Token";

    private final byte[] expected;

    ServiceCredential(@Value("${barrage.service-token}") String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("barrage.service-token must be set");
        }
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean presentIn(HttpServletRequest request) {
        String given = request.getHeader(HEADER);
        // constant-time, so the token cannot be guessed byte by byte from response times
        return given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8));
    }
}
