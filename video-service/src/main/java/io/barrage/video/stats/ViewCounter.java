package io.barrage.video.stats;

import io.barrage.video.catalog.VideoCatalog;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

/**
 * Counts a view in Redis: at most one per viewer per video per {@code debounce}, so reloading does not
 * inflate it. The debounce mark, the pending delta and the ranking score change in one script, so they
 * cannot disagree.
 */
@Service
class ViewCounter {

    private static final RedisScript<Long> COUNT = new DefaultRedisScript<>("""
            if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[2]) then
              redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
              redis.call('ZINCRBY', KEYS[3], 1, ARGV[1])
              return 1
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisGuard guard;
    private final VideoCatalog catalog;
    private final Duration debounce;

    ViewCounter(StringRedisTemplate redis, RedisGuard guard, VideoCatalog catalog, ViewProperties properties) {
        this.redis = redis;
        this.guard = guard;
        this.catalog = catalog;
        this.debounce = properties.debounce();
    }

    /** True when this view was counted; false when debounced or when Redis is down (the view is lost). */
    boolean count(long videoId, String viewer) {
        catalog.readyVideo(videoId);
        Long counted = guard.call(
                () -> redis.execute(
                        COUNT,
                        List.of(Keys.viewed(videoId, viewer), Keys.VIEWS_PENDING, Keys.HOT),
                        Long.toString(videoId),
                        Long.toString(debounce.toMillis())),
                0L);
        return counted != null && counted == 1;
    }
}
