package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} (a duplicate submission): the first POST with a key claims it in Redis
 * ({@code SET NX}) for that user, and on success stores its result there; a retry with the same key gets
 * that result back instead of creating a second danmaku. A claim whose request failed is released, so the
 * client may retry; a claim whose instance died expires after {@code claim-ttl}.
 *
 * <p>If Redis is down the key is not checked (fails open), as for the rate limits.
 */
@Component
class IdempotencyStore {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);
    private static final String CLAIMED = "claimed:";
    private static final String DONE = "done:";

    private final StringRedisTemplate redis;
    private final JsonMapper json;
    private final Duration resultTtl;
    private final Duration claimTtl;

    IdempotencyStore(StringRedisTemplate redis, JsonMapper json, IdempotencyProperties properties) {
        this.redis = redis;
        this.json = json;
        this.resultTtl = properties.ttl();
        this.claimTtl = properties.claimTtl();
    }

    /** What a POST with a key should do. */
    sealed interface Claim permits Fresh, Replay, Unchecked {}

    record Fresh(String redisKey, String fingerprint) implements Claim {}

    record Replay(Danmaku danmaku) implements Claim {}

    record Unchecked() implements Claim {}

    static void checkKey(String key) {
        if (key.isEmpty() || key.length() > 128 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw ApiException.badRequest(
                    "invalid-idempotency-key", "Idempotency-Key must be 1–128 visible ASCII characters.");
        }
    }

    Claim claim(long userId, String key, String fingerprint) {
        String redisKey = "danmaku:idem:" + userId + ":" + key;
        try {
            Boolean fresh = redis.opsForValue().setIfAbsent(redisKey, CLAIMED + fingerprint, claimTtl);
            if (Boolean.TRUE.equals(fresh)) {
                return new Fresh(redisKey, fingerprint);
            }
            String value = redis.opsForValue().get(redisKey);
            if (value == null) {
                return claim(userId, key, fingerprint); // expired in between
            }
            boolean done = value.startsWith(DONE);
            String rest = value.substring(done ? DONE.length() : CLAIMED.length());
            int bar = rest.indexOf('|');
            String storedFingerprint = done ? rest.substring(0, bar) : rest;
            if (!storedFingerprint.equals(fingerprint)) {
                throw new ApiException(
                        HttpStatus.UNPROCESSABLE_CONTENT,
                        "idempotency-key-reused",
                        "This Idempotency-Key was already used for a different danmaku.");
            }
            if (!done) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        "idempotency-in-progress",
                        "A request with this Idempotency-Key is still being processed; retry shortly.");
            }
            return new Replay(json.readValue(rest.substring(bar + 1), Danmaku.class));
        } catch (DataAccessException e) {
            log.warn("Idempotency-Key not checked (Redis unavailable): {}", e.toString());
            return new Unchecked();
        }
    }

    void complete(Fresh claim, Danmaku danmaku) {
        try {
            redis.opsForValue()
                    .set(
                            claim.redisKey(),
                            DONE + claim.fingerprint() + "|" + json.writeValueAsString(danmaku),
                            resultTtl);
        } catch (DataAccessException e) {
            log.warn("Idempotency-Key result not stored (Redis unavailable): {}", e.toString());
        }
    }

    void release(Fresh claim) {
        try {
            redis.delete(claim.redisKey());
        } catch (DataAccessException e) {
            log.warn("Idempotency-Key claim not released (Redis unavailable): {}", e.toString());
        }
    }
}
