package io.barrage.video.stats;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.VideoStats;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The views a video has in Redis and not yet in its row: those counted since the last flush ({@link
 * Keys#VIEWS_PENDING}) plus those a flush is applying right now ({@link Keys#VIEWS_FLUSHING}), so a read
 * in the middle of a flush neither loses nor doubles them; and the video's place in the hot ranking.
 */
@Component
class RedisVideoStats implements VideoStats {

    /** Both hashes in one round trip. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> PENDING = new DefaultRedisScript<>("""
            local p = redis.call('HGET', KEYS[1], ARGV[1])
            local s = redis.call('HGET', KEYS[2], ARGV[1])
            return {p or '0', s or '0'}
            """, List.class);

    private final StringRedisTemplate redis;
    private final RedisGuard guard;

    RedisVideoStats(StringRedisTemplate redis, RedisGuard guard) {
        this.redis = redis;
        this.guard = guard;
    }

    @Override
    public long pendingViews(long videoId) {
        List<?> read = guard.call(
                () -> redis.execute(PENDING, List.of(Keys.VIEWS_PENDING, Keys.VIEWS_FLUSHING), Long.toString(videoId)),
                null);
        return read == null ? 0 : parseLong(read.get(0)) + parseLong(read.get(1));
    }

    @Override
    public Map<Long, Long> pendingViews(Collection<Long> videoIds) {
        if (videoIds.isEmpty()) {
            return Map.of();
        }
        List<Object> fields =
                videoIds.stream().map(id -> (Object) Long.toString(id)).toList();
        return guard.call(
                () -> {
                    List<Object> pending = redis.opsForHash().multiGet(Keys.VIEWS_PENDING, fields);
                    List<Object> flushing = redis.opsForHash().multiGet(Keys.VIEWS_FLUSHING, fields);
                    Map<Long, Long> result = new HashMap<>();
                    int i = 0;
                    for (Long id : videoIds) {
                        long views = parseLong(pending.get(i)) + parseLong(flushing.get(i));
                        if (views != 0) {
                            result.put(id, views);
                        }
                        i++;
                    }
                    return result;
                },
                Map.of());
    }

    @Override
    public void unrankAfterCommit(long videoId) {
        Runnable unrank = () -> guard.run(() -> redis.opsForZSet().remove(Keys.HOT, Long.toString(videoId)));
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    unrank.run();
                }
            });
        } else {
            unrank.run();
        }
    }

    @Override
    public void forget(long videoId) {
        boolean done = guard.run(() -> {
            redis.opsForHash().delete(Keys.VIEWS_PENDING, Long.toString(videoId));
            redis.opsForZSet().remove(Keys.HOT, Long.toString(videoId));
        });
        if (!done) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "cache-unavailable",
                    "The video's cached data could not be removed.");
        }
    }

    private static long parseLong(Object value) {
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
