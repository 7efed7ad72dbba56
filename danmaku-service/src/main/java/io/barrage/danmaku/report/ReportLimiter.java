package io.barrage.danmaku.report;

import io.barrage.platform.problem.ApiException;
import java.time.Duration;
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
 * At most {@code per-user} reports per user per window (a fixed window in Redis). A refused report takes
 * nothing. With Redis down it lets reports through: reports are cheap rows and one per (danmaku, user).
 */
@Component
class ReportLimiter {

    private static final Logger log = LoggerFactory.getLogger(ReportLimiter.class);
    // Returns 0 when taken, else the ms until the window ends.
    private static final RedisScript<Long> TAKE = new DefaultRedisScript<>("""
            local n = tonumber(redis.call('GET', KEYS[1]) or '0')
            if n >= tonumber(ARGV[1]) then
              local ttl = redis.call('PTTL', KEYS[1])
              if ttl < 0 then ttl = tonumber(ARGV[2]) end
              return ttl
            end
            if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final ReportProperties properties;

    ReportLimiter(StringRedisTemplate redis, ReportProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    void take(long userId) {
        Long waitMs;
        try {
            waitMs = redis.execute(
                    TAKE,
                    List.of("danmaku:reports:" + userId),
                    Integer.toString(properties.perUser()),
                    Long.toString(properties.window().toMillis()));
        } catch (DataAccessException e) {
            log.warn("report limit of user {} not checked: {}", userId, e.toString());
            return;
        }
        if (waitMs != null && waitMs > 0) {
            throw new ApiException(
                            HttpStatus.TOO_MANY_REQUESTS, "report-rate-limited", "Too many reports; try again later.")
                    .retryAfter(Duration.ofMillis(waitMs));
        }
    }
}
