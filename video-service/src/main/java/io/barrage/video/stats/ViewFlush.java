package io.barrage.video.stats;

import io.barrage.video.catalog.VideoCache;
import io.barrage.video.redis.Keys;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves pending view counts from Redis to MariaDB without losing or doubling any:
 *
 * <ol>
 *   <li>atomically rename {@code video:views:pending} to the snapshot {@code video:views:flushing} and stamp
 *       it with a new flush id (new views go to a fresh pending hash meanwhile);
 *   <li>in one transaction, add each delta ({@code views = views + ?}) and insert the flush id into
 *       {@code video_view_flush}, unless that id is there already;
 *   <li>only after the commit, delete the snapshot.
 * </ol>
 *
 * A failure before the commit leaves the snapshot, which the next run applies first (same id); a crash
 * after the commit but before the delete is recognised by its id and not applied again. Runs are
 * serialised by a Redisson lock, so two callers at once are safe.
 */
@Service
class ViewFlush {

    private static final Logger log = LoggerFactory.getLogger(ViewFlush.class);
    private static final int BATCH = 500;

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> TAKE = new DefaultRedisScript<>("""
            if redis.call('EXISTS', KEYS[2]) == 0 then
              if redis.call('EXISTS', KEYS[1]) == 0 then
                return {}
              end
              redis.call('RENAME', KEYS[1], KEYS[2])
              redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            end
            return redis.call('HGETALL', KEYS[2])
            """, List.class);

    private final StringRedisTemplate redis;
    private final RedissonClient redisson;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final VideoCache cache;

    ViewFlush(
            StringRedisTemplate redis,
            RedissonClient redisson,
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            VideoCache cache) {
        this.redis = redis;
        this.redisson = redisson;
        this.jdbc = jdbc;
        this.tx = tx;
        this.cache = cache;
    }

    /** Flushes what is pending (a leftover snapshot first); the number of videos whose count was applied. */
    long flush() throws InterruptedException {
        RLock lock = redisson.getLock(Keys.VIEWS_FLUSH_LOCK);
        // the other caller's run flushes what we would have: waiting briefly, then doing nothing, is safe
        if (!lock.tryLock(5, TimeUnit.SECONDS)) {
            return 0;
        }
        try {
            long items = 0;
            // a leftover snapshot, then what is pending now
            for (int round = 0; round < 2; round++) {
                long applied = flushOnce();
                if (applied < 0) {
                    break;
                }
                items += applied;
            }
            return items;
        } finally {
            lock.unlock();
        }
    }

    /** -1 when there was nothing to flush. */
    private long flushOnce() {
        @SuppressWarnings("unchecked")
        List<String> flat = redis.execute(
                TAKE,
                List.of(Keys.VIEWS_PENDING, Keys.VIEWS_FLUSHING),
                Keys.FLUSH_ID_FIELD,
                UUID.randomUUID().toString());
        if (flat == null || flat.isEmpty()) {
            return -1;
        }
        String flushId = null;
        Map<Long, Long> deltas = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            if (Keys.FLUSH_ID_FIELD.equals(flat.get(i))) {
                flushId = flat.get(i + 1);
                continue;
            }
            try {
                long delta = Long.parseLong(flat.get(i + 1));
                if (delta != 0) {
                    deltas.put(Long.parseLong(flat.get(i)), delta);
                }
            } catch (NumberFormatException e) {
                log.warn("skipping unreadable view count {}={}", flat.get(i), flat.get(i + 1));
            }
        }
        if (flushId == null) {
            flushId = UUID.randomUUID().toString(); // cannot happen: the script stamps every snapshot
        }
        String id = flushId;
        Boolean applied = tx.execute(status -> apply(id, deltas));
        redis.delete(Keys.VIEWS_FLUSHING);
        // the cached rows hold the old count, and the snapshot no longer adds the difference
        deltas.keySet().forEach(cache::evict);
        log.info(
                "view-count flush {}: {} videos{}",
                id,
                deltas.size(),
                Boolean.TRUE.equals(applied) ? "" : " (already applied)");
        return Boolean.TRUE.equals(applied) ? deltas.size() : 0;
    }

    private boolean apply(String flushId, Map<Long, Long> deltas) {
        Integer seen =
                jdbc.queryForObject("SELECT COUNT(*) FROM video_view_flush WHERE flush_id = ?", Integer.class, flushId);
        if (seen != null && seen > 0) {
            return false;
        }
        List<Object[]> rows = new ArrayList<>(deltas.size());
        deltas.forEach((video, delta) -> rows.add(new Object[] {delta, video}));
        for (int i = 0; i < rows.size(); i += BATCH) {
            jdbc.batchUpdate(
                    "UPDATE video SET views = views + ? WHERE id = ?",
                    rows.subList(i, Math.min(rows.size(), i + BATCH)));
        }
        Instant now = Instant.now();
        jdbc.update(
                "INSERT INTO video_view_flush (flush_id, items, applied_at) VALUES (?, ?, ?)",
                flushId,
                deltas.size(),
                Timestamp.from(now));
        // the ids only need to outlive any snapshot that could still be retried
        jdbc.update("DELETE FROM video_view_flush WHERE applied_at < ?", Timestamp.from(now.minus(Duration.ofDays(7))));
        return true;
    }
}
