package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * Two token buckets in Redis, checked and taken together in one Lua script (so a refused request takes
 * from neither): a per-user bucket (a small burst, then one danmaku per {@code user-interval}: the
 * cooldown) and a per-video bucket that caps how fast any one video's stream can grow. The script reads
 * Redis's clock, so every instance shares one notion of time.
 *
 * <p>The {@link Sequencer} checks a whole batch of one video's requests in one script call ({@link
 * #admitAll}): the script walks them in order exactly as if each had come alone, so a busy video costs
 * one Redis round trip per batch, not per danmaku.
 *
 * <p>When Redis is unreachable the guard lets danmaku through (fails open): losing rate limiting for a
 * while is better than refusing every viewer, and the sequencer still bounds each video's throughput.
 */
@Component
public class AbuseGuard {

    private static final Logger log = LoggerFactory.getLogger(AbuseGuard.class);

    // KEYS = the requests' user buckets (in request order, repeats allowed), then the video's bucket.
    // Returns one pair per request, {0, 0} when both buckets had a token (both taken), else {1 = user |
    // 2 = video, wait ms}: the answers the requests would have got one by one, a refused one taking from
    // neither bucket.
    private static final RedisScript<List> BATCH_SCRIPT = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local function level(key, cap, interval)
              local b = redis.call('HMGET', key, 'tokens', 'ts')
              local tokens, ts = tonumber(b[1]), tonumber(b[2])
              if tokens == nil then return cap end
              return math.min(cap, tokens + math.max(0, now - ts) / interval)
            end
            local uc, ui, vc, vi = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
            local n = #KEYS - 1
            local vkey = KEYS[n + 1]
            local v = level(vkey, vc, vi)
            local users, taken, out = {}, {}, {}
            local video_taken = false
            for i = 1, n do
              local key = KEYS[i]
              local u = users[key]
              if u == nil then u = level(key, uc, ui) end
              if u < 1 then
                out[2 * i - 1], out[2 * i] = 1, math.ceil((1 - u) * ui)
              elseif v < 1 then
                out[2 * i - 1], out[2 * i] = 2, math.ceil((1 - v) * vi)
              else
                u, v = u - 1, v - 1
                taken[key], video_taken = true, true
                out[2 * i - 1], out[2 * i] = 0, 0
              end
              users[key] = u
            end
            for key in pairs(taken) do
              redis.call('HSET', key, 'tokens', tostring(users[key]), 'ts', now)
              redis.call('PEXPIRE', key, math.ceil(uc * ui) + 1000)
            end
            if video_taken then
              redis.call('HSET', vkey, 'tokens', tostring(v), 'ts', now)
              redis.call('PEXPIRE', vkey, math.ceil(vc * vi) + 1000)
            end
            return out
            """, List.class);

    private final StringRedisTemplate redis;
    private final int userBurst;
    private final long userIntervalMs;
    private final int videoBurst;
    private final double videoIntervalMs;

    AbuseGuard(StringRedisTemplate redis, RateProperties rate) {
        this.redis = redis;
        this.userBurst = rate.userBurst();
        this.userIntervalMs = Math.max(1, rate.userInterval().toMillis());
        this.videoBurst = rate.videoBurst();
        this.videoIntervalMs = 1000.0 / rate.videoPerSecond();
    }

    /**
     * Takes one token from each request's user bucket and from the video's, for several requests to one
     * video, in order, in one round trip: element {@code i} is null when request {@code i} got its tokens,
     * else its 429 (with the Retry-After it owes). All null when Redis is unreachable.
     */
    List<TooManyRequests> admitAll(long videoId, long[] userIds) {
        List<String> keys = new ArrayList<>(userIds.length + 1);
        for (long userId : userIds) {
            keys.add(userKey(userId));
        }
        keys.add(videoKey(videoId));
        TooManyRequests[] verdicts = new TooManyRequests[userIds.length];
        List<?> result;
        try {
            result = redis.execute(
                    BATCH_SCRIPT,
                    keys,
                    Integer.toString(userBurst),
                    Long.toString(userIntervalMs),
                    Integer.toString(videoBurst),
                    Double.toString(videoIntervalMs));
        } catch (DataAccessException e) {
            log.warn("rate limits not checked (Redis unavailable): {}", e.toString());
            return Arrays.asList(verdicts);
        }
        if (result != null && result.size() == 2 * userIds.length) {
            for (int i = 0; i < userIds.length; i++) {
                verdicts[i] =
                        refusal(((Number) result.get(2 * i)).longValue(), ((Number) result.get(2 * i + 1)).longValue());
            }
        }
        return Arrays.asList(verdicts);
    }

    private static TooManyRequests refusal(long which, long waitMs) {
        if (which == 1) {
            return new TooManyRequests("cooldown", "You are sending danmaku too fast; wait a moment.", waitMs);
        }
        if (which == 2) {
            return new TooManyRequests("rate-limited", "This video is receiving too many danmaku right now.", waitMs);
        }
        return null;
    }

    static String userKey(long userId) {
        return "danmaku:rate:user:" + userId;
    }

    static String videoKey(long videoId) {
        return "danmaku:rate:video:" + videoId;
    }

    /** A 429 whose Retry-After (whole seconds, at least 1) the advice puts on the response. */
    public static final class TooManyRequests extends ApiException {

        TooManyRequests(String code, String detail, long waitMs) {
            super(HttpStatus.TOO_MANY_REQUESTS, code, detail);
            retryAfter(Duration.ofMillis(waitMs));
        }
    }
}
