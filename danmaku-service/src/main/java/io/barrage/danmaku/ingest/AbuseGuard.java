package io.barrage.danmaku.ingest;

import io.barrage.danmaku.web.ApiException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Two token buckets in Redis, checked and taken together in one Lua script (so a refused request takes
 * from neither): a per-user bucket (a small burst, then one danmaku per {@code user-interval}: the
 * cooldown) and a per-video bucket that caps how fast any one video's stream can grow. The script reads
 * Redis's clock, so every instance shares one notion of time.
 *
 * <p>When Redis is unreachable the guard lets danmaku through (fails open): losing rate limiting for a
 * while is better than refusing every viewer, and the sequencer still bounds each video's throughput.
 */
@Component
public class AbuseGuard {

    private static final Logger log = LoggerFactory.getLogger(AbuseGuard.class);

    // Returns {0, 0} when both buckets had a token (both taken), else {1 = user | 2 = video, wait ms}.
    private static final RedisScript<List> SCRIPT = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function level(key, cap, interval)
              local b = redis.call('HMGET', key, 'tokens', 'ts')
              local tokens, ts = tonumber(b[1]), tonumber(b[2])
              if tokens == nil then return cap end
              return math.min(cap, tokens + math.max(0, now - ts) / interval)
            end
            local uc, ui, vc, vi = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local u = level(KEYS[1], uc, ui)
            local v = level(KEYS[2], vc, vi)
            if u < 1 then return {1, math.ceil((1 - u) * ui)} end
            if v < 1 then return {2, math.ceil((1 - v) * vi)} end
            redis.call('HSET', KEYS[1], 'tokens', tostring(u - 1), 'ts', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(uc * ui) + 1000)
            redis.call('HSET', KEYS[2], 'tokens', tostring(v - 1), 'ts', now)
            redis.call('PEXPIRE', KEYS[2], math.ceil(vc * vi) + 1000)
            return {0, 0}
            """, List.class);

    private final StringRedisTemplate redis;
    private final int userBurst;
    private final long userIntervalMs;
    private final int videoBurst;
    private final double videoIntervalMs;

    AbuseGuard(
            StringRedisTemplate redis,
            @Value("${barrage.danmaku.rate.user-burst:5}") int userBurst,
            @Value("${barrage.danmaku.rate.user-interval:1s}") Duration userInterval,
            @Value("${barrage.danmaku.rate.video-burst:400}") int videoBurst,
            @Value("${barrage.danmaku.rate.video-per-second:200}") double videoPerSecond) {
        this.redis = redis;
        this.userBurst = userBurst;
        this.userIntervalMs = Math.max(1, userInterval.toMillis());
        this.videoBurst = videoBurst;
        this.videoIntervalMs = 1000.0 / videoPerSecond;
    }

    /** Takes one token from the user's and the video's bucket, or answers 429 with a Retry-After. */
    void admit(long userId, long videoId) {
        List<?> result;
        try {
            result = redis.execute(
                    SCRIPT,
                    List.of(userKey(userId), videoKey(videoId)),
                    Integer.toString(userBurst),
                    Long.toString(userIntervalMs),
                    Integer.toString(videoBurst),
                    Double.toString(videoIntervalMs));
        } catch (DataAccessException e) {
            log.warn("rate limits not checked (Redis unavailable): {}", e.toString());
            return;
        }
        if (result == null || result.size() < 2) {
            return;
        }
        long which = ((Number) result.get(0)).longValue();
        long waitMs = ((Number) result.get(1)).longValue();
        if (which == 1) {
            throw new TooManyRequests("cooldown", "You are sending danmaku too fast; wait a moment.", waitMs);
        }
        if (which == 2) {
            throw new TooManyRequests("rate-limited", "This video is receiving too many danmaku right now.", waitMs);
        }
    }

    static String userKey(long userId) {
        return "danmaku:rate:user:" + userId;
    }

    static String videoKey(long videoId) {
        return "danmaku:rate:video:" + videoId;
    }

    /** A 429 whose Retry-After (whole seconds, at least 1) the advice puts on the response. */
    public static final class TooManyRequests extends ApiException {
        private final long retryAfterSeconds;

        TooManyRequests(String code, String detail, long waitMs) {
            super(HttpStatus.TOO_MANY_REQUESTS, code, detail);
            this.retryAfterSeconds = Math.max(1, (waitMs + 999) / 1000);
        }

        @Override
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }
}
