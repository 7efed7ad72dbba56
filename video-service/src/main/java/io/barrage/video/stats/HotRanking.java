package io.barrage.video.stats;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.VideoCatalog;
import io.barrage.video.catalog.VideoSearch;
import io.barrage.video.catalog.VideoView;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Service;

/**
 * The hot ranking: a sorted set where each counted view adds 1 and every score halves per
 * {@code half-life}. The decay multiplies by {@code 0.5^(elapsed / half-life)} since the last decay (Redis
 * time), so calling it twice, or from two callers at once, decays no more than calling it once.
 */
@Service
class HotRanking {

    private static final RedisScript<Long> DECAY = new DefaultRedisScript<>("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local last = tonumber(redis.call('GET', KEYS[2]) or '0')
            if now <= last then
              return redis.call('ZCARD', KEYS[1])
            end
            redis.call('SET', KEYS[2], tostring(now))
            if last > 0 then
              local factor = math.pow(0.5, (now - last) / tonumber(ARGV[1]))
              local items = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
              for i = 1, #items, 2 do
                redis.call('ZADD', KEYS[1], tonumber(items[i + 1]) * factor, items[i])
              end
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2])
            end
            local n = redis.call('ZCARD', KEYS[1])
            local max = tonumber(ARGV[3])
            if n > max then
              redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1)
            end
            return redis.call('ZCARD', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisGuard guard;
    private final VideoCatalog catalog;
    private final VideoSearch search;
    private final Duration halfLife;
    private final double minScore;
    private final int maxSize;

    HotRanking(
            StringRedisTemplate redis,
            RedisGuard guard,
            VideoCatalog catalog,
            VideoSearch search,
            HotProperties properties) {
        this.redis = redis;
        this.guard = guard;
        this.catalog = catalog;
        this.search = search;
        this.halfLife = properties.halfLife();
        this.minScore = properties.minScore();
        this.maxSize = properties.maxSize();
    }

    /** The hottest READY videos (cached metadata); the most viewed by MariaDB's count when Redis is down. */
    List<VideoView> hot(int limit) {
        // over-fetch: a few members may have been deleted since they were ranked
        Set<String> ranked = guard.call(() -> redis.opsForZSet().reverseRange(Keys.HOT, 0, limit * 2L - 1), null);
        if (ranked == null) {
            return search.mostViewed(limit);
        }
        List<VideoView> items = new ArrayList<>(limit);
        for (String member : ranked) {
            if (items.size() == limit) {
                break;
            }
            try {
                items.add(catalog.publicView(Long.parseLong(member)).view());
            } catch (ApiException | NumberFormatException e) {
                // deleted or purged since it was ranked: skipped here, pruned by the refresh job
            }
        }
        return items;
    }

    /** Applies the decay due since the last one; the members left. */
    long decay() {
        Long left = redis.execute(
                DECAY,
                List.of(Keys.HOT, Keys.HOT_DECAYED_AT),
                Long.toString(halfLife.toMillis()),
                Double.toString(minScore),
                Integer.toString(maxSize));
        return left == null ? 0 : left;
    }

    /**
     * Removes members that are no longer READY videos (deleted, purged, never finished) and warms the cache
     * for the top of the ranking; the members left. Idempotent.
     */
    long refresh() {
        Set<String> members = redis.opsForZSet().reverseRange(Keys.HOT, 0, maxSize - 1L);
        if (members == null || members.isEmpty()) {
            return 0;
        }
        List<Long> ids = new ArrayList<>();
        for (String member : members) {
            try {
                ids.add(Long.parseLong(member));
            } catch (NumberFormatException e) {
                redis.opsForZSet().remove(Keys.HOT, member);
            }
        }
        Set<Long> ready = new HashSet<>();
        for (int i = 0; i < ids.size(); i += 1000) {
            ready.addAll(search.readyIds(ids.subList(i, Math.min(ids.size(), i + 1000))));
        }
        Object[] gone = ids.stream()
                .filter(id -> !ready.contains(id))
                .map(String::valueOf)
                .toArray();
        if (gone.length > 0) {
            redis.opsForZSet().remove(Keys.HOT, gone);
        }
        ids.stream().filter(ready::contains).limit(100).forEach(id -> {
            try {
                catalog.publicView(id);
            } catch (ApiException e) {
                // changed meanwhile
            }
        });
        Long size = redis.opsForZSet().zCard(Keys.HOT);
        return size == null ? 0 : size;
    }
}
