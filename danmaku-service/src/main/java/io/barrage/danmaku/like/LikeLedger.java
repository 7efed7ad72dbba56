package io.barrage.danmaku.like;

import io.barrage.danmaku.history.DanmakuRemoval;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.platform.problem.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Likes in Redis. Per video, a hash of like counts by danmaku id (its {@code _} field marks it seeded from
 * MariaDB); per danmaku, the set of users who liked it; per video and user, the danmaku they liked; and one
 * list of likes waiting for the flusher. A like is one script: it adds the user to the danmaku's set and,
 * only if they were not in it, counts and queues the like, so a repeat is idempotent and concurrent likes
 * count exactly. The first like of a danmaku this Redis does not know yet checks the danmaku exists on that
 * video and seeds its count (and whether this user already liked it) from MariaDB.
 */
@Component
class LikeLedger {

    static final String PENDING = "danmaku:likes:pending";
    private static final Logger log = LoggerFactory.getLogger(LikeLedger.class);

    // KEYS: counts hash, likers set, pending list, the user's liked set. ARGV: danmaku id, user id, seed
    // count (-1: not read yet), seed liked (1/0), the pending entry. Returns {1 new | 0 repeat | -1 seed me,
    // count}.
    private static final RedisScript<List> LIKE = new DefaultRedisScript<>("""
            local c = redis.call('HGET', KEYS[1], ARGV[1])
            if not c then
              if ARGV[3] == '-1' then return {-1, 0} end
              redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[3])
              if ARGV[4] == '1' then
                redis.call('SADD', KEYS[2], ARGV[2])
                redis.call('SADD', KEYS[4], ARGV[1])
              end
            end
            if redis.call('SADD', KEYS[2], ARGV[2]) == 0 then
              return {0, tonumber(redis.call('HGET', KEYS[1], ARGV[1]))}
            end
            redis.call('SADD', KEYS[4], ARGV[1])
            redis.call('RPUSH', KEYS[3], ARGV[5])
            return {1, redis.call('HINCRBY', KEYS[1], ARGV[1], 1)}
            """, List.class);

    // KEYS: counts hash. ARGV: id, count, id, count... Seeds only fields not there, then marks the hash.
    private static final RedisScript<Long> SEED = new DefaultRedisScript<>("""
            if redis.call('HEXISTS', KEYS[1], '_') == 1 then return 0 end
            for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
            redis.call('HSET', KEYS[1], '_', '1')
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final LikeMapper mapper;
    private final DanmakuRemoval danmaku;
    private final LikeProperties properties;

    LikeLedger(StringRedisTemplate redis, LikeMapper mapper, DanmakuRemoval danmaku, LikeProperties properties) {
        this.redis = redis;
        this.mapper = mapper;
        this.danmaku = danmaku;
        this.properties = properties;
    }

    record Liked(String danmakuId, long likes, boolean liked, boolean highlyLiked) {}

    Liked like(long videoId, long danmakuId, long userId) {
        List<String> keys = List.of(countsKey(videoId), likersKey(danmakuId), PENDING, mineKey(videoId, userId));
        String entry = danmakuId + ":" + videoId + ":" + userId;
        try {
            List<?> result =
                    redis.execute(LIKE, keys, Long.toString(danmakuId), Long.toString(userId), "-1", "0", entry);
            if (((Number) result.get(0)).longValue() == -1) {
                Danmaku d = danmaku.find(danmakuId);
                if (d.videoId() != videoId) {
                    throw new ApiException(HttpStatus.NOT_FOUND, "danmaku-not-found", "No such danmaku.");
                }
                String seed = Long.toString(mapper.count(danmakuId));
                String seedLiked = mapper.liked(danmakuId, userId) ? "1" : "0";
                result = redis.execute(
                        LIKE, keys, Long.toString(danmakuId), Long.toString(userId), seed, seedLiked, entry);
            }
            long likes = ((Number) result.get(1)).longValue();
            return new Liked(Long.toString(danmakuId), likes, true, likes >= properties.highlyLiked());
        } catch (DataAccessException e) {
            log.warn("like of danmaku {} not counted: {}", danmakuId, e.toString());
            throw new ApiException(
                            HttpStatus.SERVICE_UNAVAILABLE, "likes-unavailable", "Likes cannot be counted right now.")
                    .retryAfter(Duration.ofSeconds(5));
        }
    }

    record Counts(long videoId, int highlyLikedAt, Map<String, Long> counts, Set<String> mine) {}

    /**
     * A video's liked danmaku (at most {@code listed}, the most liked), and which of them the user liked.
     * With Redis down, MariaDB's flushed counts answer.
     */
    Counts counts(long videoId, long userId) {
        try {
            seed(videoId);
            Map<Object, Object> all = redis.opsForHash().entries(countsKey(videoId));
            List<Map.Entry<String, Long>> liked = new ArrayList<>();
            all.forEach((k, v) -> {
                long n = Long.parseLong(v.toString());
                if (!"_".equals(k) && n > 0) {
                    liked.add(Map.entry(k.toString(), n));
                }
            });
            Set<String> mine = userId > 0 ? redis.opsForSet().members(mineKey(videoId, userId)) : Set.of();
            return new Counts(videoId, properties.highlyLiked(), top(liked), new TreeSet<>(mine));
        } catch (DataAccessException e) {
            log.warn("like counts of video {} read from MariaDB: {}", videoId, e.toString());
            List<Map.Entry<String, Long>> liked = new ArrayList<>();
            for (Map<String, Object> row : mapper.counts(videoId, properties.listed())) {
                liked.add(Map.entry(row.get("danmakuId").toString(), ((Number) row.get("likes")).longValue()));
            }
            return new Counts(videoId, properties.highlyLiked(), top(liked), Set.of());
        }
    }

    private void seed(long videoId) {
        if (Boolean.TRUE.equals(redis.opsForHash().hasKey(countsKey(videoId), "_"))) {
            return;
        }
        List<String> args = new ArrayList<>();
        for (Map<String, Object> row : mapper.counts(videoId, properties.listed())) {
            args.add(row.get("danmakuId").toString());
            args.add(row.get("likes").toString());
        }
        redis.execute(SEED, List.of(countsKey(videoId)), args.toArray());
    }

    private Map<String, Long> top(List<Map.Entry<String, Long>> liked) {
        Map<String, Long> counts = new LinkedHashMap<>();
        liked.stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(properties.listed())
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    private static String countsKey(long videoId) {
        return "danmaku:likes:" + videoId;
    }

    private static String likersKey(long danmakuId) {
        return "danmaku:likers:" + danmakuId;
    }

    private static String mineKey(long videoId, long userId) {
        return "danmaku:liked:" + videoId + ":" + userId;
    }
}
