package io.barrage.platform.credential;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Refuses to start with a service token anyone could guess: empty, a placeholder from an example file
 * ({@code change-me}), shorter than 32 characters (128 bits as hex) or made of a handful of characters.
 * The token opens every internal API and makes identity headers believed, so a weak one is worse than
 * none. The local stack and the Helm chart generate a random one; Compose takes it from {@code .env}.
 */
public final class ServiceTokenRule {

    static final int MIN_LENGTH = 32;
    private static final List<String> PLACEHOLDERS =
            List.of("change-me", "changeme", "change_me", "placeholder", "example", "secret", "password");

    private ServiceTokenRule() {}

    /** Throws, with what to do, unless {@code token} may be used. */
    public static void check(@Nullable String token) {
        String problem = problemWith(token);
        if (problem != null) {
            throw new IllegalStateException("barrage.service-token (BARRAGE_SERVICETOKEN) " + problem
                    + ": set the same random value of at least " + MIN_LENGTH
                    + " characters in every service, e.g. from `openssl rand -hex 24`");
        }
    }

    /** Why the token must not be used, or null when it may. */
    public static @Nullable String problemWith(@Nullable String token) {
        if (token == null || token.isBlank()) {
            return "is empty";
        }
        String lower = token.strip().toLowerCase(Locale.ROOT);
        for (String placeholder : PLACEHOLDERS) {
            if (lower.contains(placeholder)) {
                return "is a placeholder (contains \"" + placeholder + "\")";
            }
        }
        if (lower.length() < MIN_LENGTH) {
            return "is shorter than " + MIN_LENGTH + " characters";
        }
        if (lower.chars().distinct().count() < 8) {
            return "is made of fewer than 8 distinct characters";
        }
        return null;
    }
}
