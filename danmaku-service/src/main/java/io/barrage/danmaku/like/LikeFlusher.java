package io.barrage.danmaku.like;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves pending likes from Redis to MariaDB, one instance at a time (a Redis lock): reads a batch from the
 * head of the list, writes each danmaku's likers with INSERT IGNORE and adds to its count exactly the rows
 * that were new, commits, and only then trims the batch off the list. A flusher that dies between the
 * commit and the trim leaves the batch to the next one, which finds every row there and adds nothing.
 */
@Component
class LikeFlusher {

    private static final Logger log = LoggerFactory.getLogger(LikeFlusher.class);
    private static final String LOCK = "danmaku:likes:flush-lock";
    /** Rounds per run, so one run is bounded however far behind it is. */
    private static final int MAX_ROUNDS = 20;

    private final StringRedisTemplate redis;
    private final LikeMapper mapper;
    private final TransactionTemplate tx;
    private final LikeProperties properties;

    LikeFlusher(StringRedisTemplate redis, LikeMapper mapper, TransactionTemplate tx, LikeProperties properties) {
        this.redis = redis;
        this.mapper = mapper;
        this.tx = tx;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${barrage.danmaku.likes.flush-interval}")
    void scheduled() {
        try {
            flush();
        } catch (DataAccessException e) {
            log.warn("likes not flushed, will retry: {}", e.toString());
        }
    }

    /** Flushes what is pending; returns how many likes were new in MariaDB (0 when another instance flushes). */
    long flush() {
        if (!Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(LOCK, "1", Duration.ofSeconds(30)))) {
            return 0;
        }
        long added = 0;
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                List<String> batch = redis.opsForList().range(LikeLedger.PENDING, 0, properties.flushBatch() - 1);
                if (batch == null || batch.isEmpty()) {
                    break;
                }
                added += write(batch);
                redis.opsForList().trim(LikeLedger.PENDING, batch.size(), -1);
                if (batch.size() < properties.flushBatch()) {
                    break;
                }
            }
        } finally {
            redis.delete(LOCK);
        }
        return added;
    }

    private long write(List<String> batch) {
        record Target(long danmakuId, long videoId) {}
        Map<Target, List<Long>> likers = new LinkedHashMap<>();
        for (String entry : batch) {
            String[] parts = entry.split(":");
            likers.computeIfAbsent(
                            new Target(Long.parseLong(parts[0]), Long.parseLong(parts[1])), t -> new ArrayList<>())
                    .add(Long.parseLong(parts[2]));
        }
        Long added = tx.execute(status -> {
            long n = 0;
            for (Map.Entry<Target, List<Long>> e : likers.entrySet()) {
                int fresh =
                        mapper.insertLikes(e.getKey().danmakuId(), e.getKey().videoId(), e.getValue());
                if (fresh > 0) {
                    mapper.addCount(e.getKey().danmakuId(), e.getKey().videoId(), fresh);
                }
                n += fresh;
            }
            return n;
        });
        return added == null ? 0 : added;
    }
}
