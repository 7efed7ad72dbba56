package io.barrage.user.attempts;

import io.barrage.user.web.SessionTokens;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

/**
 * Devices that have logged in to an account before: a successful login sets a long-lived random {@code
 * BARRAGE_DEVICE} cookie (HttpOnly, only sent to {@code /api/v1/sessions}), and Redis remembers, under
 * the cookie's SHA-256, the accounts it has logged in to. A known device is throttled only by its own
 * failures ({@link PasswordAttempts}). Forgetting devices (Redis lost its data, or is down) is safe: such
 * a device is throttled like any other.
 */
@Component
public class KnownDevices {

    public static final String COOKIE = "BARRAGE_DEVICE";
    private static final Logger log = LoggerFactory.getLogger(KnownDevices.class);
    // 32 random bytes, base64url without padding
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final StringRedisTemplate redis;
    private final AttemptProperties properties;
    private final SecureRandom random = new SecureRandom();

    KnownDevices(StringRedisTemplate redis, AttemptProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** The hash of the caller's device if it has logged in to this account before, else null. */
    public String knownFor(HttpServletRequest request, String username) {
        String device = deviceOf(request);
        if (device == null || username == null) {
            return null;
        }
        String hash = SessionTokens.hash(device);
        try {
            Boolean known = redis.opsForSet().isMember(key(hash), username.toLowerCase(Locale.ROOT));
            return Boolean.TRUE.equals(known) ? hash : null;
        } catch (RuntimeException e) {
            log.warn("known devices unreachable in Redis, treating the device as unknown: {}", e.toString());
            return null;
        }
    }

    /** Remembers the caller's device (a new one if it has none) for the account; the cookie to set. */
    public String remember(HttpServletRequest request, String username, boolean secure) {
        String device = deviceOf(request);
        if (device == null) {
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            device = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        String key = key(SessionTokens.hash(device));
        try {
            redis.opsForSet().add(key, username.toLowerCase(Locale.ROOT));
            redis.expire(key, properties.deviceTtl());
        } catch (RuntimeException e) {
            log.warn("could not remember a device: {}", e.toString());
        }
        return ResponseCookie.from(COOKIE, device)
                .path("/api/v1/sessions")
                .httpOnly(true)
                .sameSite("Strict")
                .secure(secure)
                .maxAge(properties.deviceTtl())
                .build()
                .toString();
    }

    private static String deviceOf(HttpServletRequest request) {
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName())
                        && SHAPE.matcher(cookie.getValue()).matches()) {
                    return cookie.getValue();
                }
            }
        }
        return null;
    }

    private static String key(String deviceHash) {
        return "login:device:" + deviceHash;
    }
}
