package io.barrage.platform.credential;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * The shared service token: what a caller sends in {@link #HEADER}, and the one check of a presented
 * value. Built only from a token that passed {@link ServiceTokenRule}.
 */
public final class ServiceCredential {

    public static final String HEADER = "X-Service-Token";

    private final String token;
    private final byte[] expected;

    public ServiceCredential(String token) {
        ServiceTokenRule.check(token);
        this.token = token;
        this.expected = token.getBytes(StandardCharsets.UTF_8);
    }

    /** True when {@code presented} (the {@link #HEADER} value of a request, or null) is the credential. */
    public boolean presentIn(@Nullable String presented) {
        // constant-time, so the token cannot be guessed byte by byte from response times
        return presented != null && MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The token itself, for a caller to send. */
    public String token() {
        return token;
    }
}
