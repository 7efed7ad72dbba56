package io.barrage.danmaku.recall;

import io.barrage.platform.problem.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Counts each user's recalls per UTC day in Redis; a recall that then fails gives its unit back. With Redis
 * down recalls are let through: the window still bounds them, and refusing would leave a regretted danmaku
 * on screen.
 */
@Component
class RecallQuota {

    private static final Logger log = LoggerFactory.getLogger(RecallQuota.class);
    // Returns the count after taking one, or -1 when the day's quota is used up (nothing taken).
    private static final RedisScript<Long> TAKE = new DefaultRedisScript<>("""
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n >= tonumber(ARGV[1]) then return -1 end
            n = redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return n
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RecallProperties properties;
    private final Clock clock = Clock.systemUTC();

    RecallQuota(StringRedisTemplate redis, RecallProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** Takes one recall; returns how many are left today. 429 {@code recall-limit-reached} when none are. */
    int take(long userId) {
        Instant now = clock.instant();
        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC)
                .plusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        long untilMidnight = Math.max(1, Duration.between(now, midnight).toSeconds());
        Long n;
        try {
            n = redis.execute(
                    TAKE,
                    List.of(key(userId, now)),
                    Integer.toString(properties.perDay()),
                    Long.toString(Duration.ofHours(26).toMillis()));
        } catch (DataAccessException e) {
            log.warn("recall quota of user {} not checked: {}", userId, e.toString());
            return properties.perDay();
        }
        if (n == null || n < 0) {
            throw new ApiException(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "recall-limit-reached",
                            "You can recall " + properties.perDay() + " danmaku a day; try again tomorrow (UTC).")
                    .retryAfter(Duration.ofSeconds(untilMidnight));
        }
        return (int) Math.max(0, properties.perDay() - n);
    }

    void giveBack(long userId) {
        try {
            redis.opsForValue().decrement(key(userId, clock.instant()));
        } catch (DataAccessException e) {
            log.warn("recall quota of user {} not given back: {}", userId, e.toString());
        }
    }

    private static String key(long userId, Instant now) {
        return "danmaku:recalls:" + userId + ":" + LocalDate.ofInstant(now, ZoneOffset.UTC);
    }
}
