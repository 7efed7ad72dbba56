package io.barrage.scheduler.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** Checks the shared service credential; the scheduler has no user-facing API, so no user identity. */
@Component
class ServiceCredentials {

    static final String TOKEN_HEADER = "X-Service-Token";

    private final byte[] token;

    ServiceCredentials(@Value("${barrage.service-token}") String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    boolean isTrusted(HttpServletRequest request) {
        String presented = request.getHeader(TOKEN_HEADER);
        // constant-time, so the token cannot be guessed byte by byte from response times
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
