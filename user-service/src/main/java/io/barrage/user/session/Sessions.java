package io.barrage.user.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Issues, resolves and revokes session tokens. Redis holds only the tokens' hashes. */
@Service
class Sessions {

    private static final int TOKEN_BYTES = 32;
    // a real token is 43 characters; anything much longer is not worth hashing
    private static final int MAX_TOKEN_LENGTH = 256;

    private final StringRedisTemplate redis;
    private final JsonMapper json;
    private final SessionProperties properties;
    private final SecureRandom random = new SecureRandom();

    Sessions(StringRedisTemplate redis, JsonMapper json, SessionProperties properties) {
        this.redis = redis;
        this.json = json;
        this.properties = properties;
    }

    record Issued(String token, Instant expiresAt) {}

    Issued open(long userId, String username) {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SessionData data = new SessionData(userId, username, now);
        redis.opsForValue().set(key(hash(token)), json.writeValueAsString(data), properties.ttl());
        return new Issued(token, now.plus(properties.ttl()));
    }

    Optional<SessionData> find(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        return Optional.ofNullable(redis.opsForValue().get(key(hash(token)))).map(this::parse);
    }

    /** Deletes the session in one step, so two concurrent logouts cannot both announce it. */
    Optional<SessionData> revoke(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        return Optional.ofNullable(redis.opsForValue().getAndDelete(key(hash(token))))
                .map(this::parse);
    }

    static String hash(String token) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String key(String tokenHash) {
        return "session:" + tokenHash;
    }

    private static boolean plausible(String token) {
        return token != null && !token.isBlank() && token.length() <= MAX_TOKEN_LENGTH;
    }

    private SessionData parse(String value) {
        return json.readValue(value, SessionData.class);
    }
}
