package io.barrage.video.catalog;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cache-aside for {@code video} rows in Redis ({@code video:meta:{id}}).
 *
 * <ul>
 *   <li>TTLs are jittered (±{@code jitter}) so keys written together do not expire together.
 *   <li>One loader per key: inside the JVM the callers of a cold id share one future; across instances the
 *       loader holds {@code video:meta:lock:{id}} and checks the cache again once it has it. Only a loader
 *       holding the lock writes the cache.
 *   <li>Ids without a row: the {@link VideoIdFilter} answers ids that never existed; the rest (purged ids,
 *       filter false positives) get a null entry with a short TTL.
 *   <li>Writers change MariaDB, then (after commit) delete the key while holding the same per-key lock, so a
 *       loader that read the old row before the commit has written it before the delete and cannot write it
 *       after; a second delete follows a moment later for anything that bypassed the lock.
 *   <li>Redis down: reads go to MariaDB (still one loader per id in this JVM) and nothing is cached; deletes
 *       that could not happen are retried when Redis is back.
 * </ul>
 */
@Component
public class VideoCache {

    /** A row (or none) and the views counted in Redis but not yet in the row. */
    public record Found(Video video, long pendingViews) {}

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> READ = new DefaultRedisScript<>("""
            local m = redis.call('GET', KEYS[1])
            local p = redis.call('HGET', KEYS[2], ARGV[1])
            local s = redis.call('HGET', KEYS[3], ARGV[1])
            return {m or '', p or '0', s or '0'}
            """, List.class);

    private final StringRedisTemplate redis;
    private final RedissonClient redisson;
    private final RedisGuard guard;
    private final VideoMapper videos;
    private final VideoIdFilter ids;
    private final JsonMapper json;
    private final Duration ttl;
    private final Duration nullTtl;
    private final double jitter;
    private final Duration secondDelete;

    private final ConcurrentMap<Long, CompletableFuture<Optional<Video>>> loading = new ConcurrentHashMap<>();
    private final Set<Long> unevicted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger secondDeletesDue = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "video-cache-timer");
        t.setDaemon(true);
        return t;
    });

    VideoCache(
            StringRedisTemplate redis,
            RedissonClient redisson,
            RedisGuard guard,
            VideoMapper videos,
            VideoIdFilter ids,
            JsonMapper json,
            @Value("${barrage.video.cache.ttl:PT30M}") Duration ttl,
            @Value("${barrage.video.cache.null-ttl:PT1M}") Duration nullTtl,
            @Value("${barrage.video.cache.jitter:0.2}") double jitter,
            @Value("${barrage.video.cache.second-delete:PT1S}") Duration secondDelete) {
        this.redis = redis;
        this.redisson = redisson;
        this.guard = guard;
        this.videos = videos;
        this.ids = ids;
        this.json = json;
        this.ttl = ttl;
        this.nullTtl = nullTtl;
        this.jitter = jitter;
        this.secondDelete = secondDelete;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        ids.maintain();
        timer.scheduleWithFixedDelay(this::maintain, 1, 1, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** The row with this id, any status. */
    public Optional<Video> find(long id) {
        return Optional.ofNullable(findWithViews(id).video());
    }

    /** The row (null when there is none) and its pending views. */
    public Found findWithViews(long id) {
        List<?> read = guard.call(
                () -> redis.execute(
                        READ, List.of(Keys.meta(id), Keys.VIEWS_PENDING, Keys.VIEWS_FLUSHING), Long.toString(id)),
                null);
        if (read == null) {
            return new Found(load(id, false).orElse(null), 0);
        }
        long pending = parseLong(read.get(1)) + parseLong(read.get(2));
        String cached = (String) read.get(0);
        if (!cached.isEmpty()) {
            Optional<Optional<Video>> decoded = decode(cached);
            if (decoded.isPresent()) {
                return new Found(decoded.get().orElse(null), pending);
            }
        }
        // consulted on a miss only, so a hit stays one round trip
        if (ids.definitelyAbsent(id)) {
            return new Found(null, 0);
        }
        return new Found(load(id, true).orElse(null), pending);
    }

    /** Views counted in Redis but not yet in MariaDB, for each id that has any. */
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

    /** Drops the cached row once the current transaction (if any) has committed. */
    public void evictAfterCommit(long id) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    evict(id);
                }
            });
        } else {
            evict(id);
        }
    }

    /** Removes a video from the hot ranking once the current transaction (if any) has committed. */
    void unrankAfterCommit(long id) {
        Runnable unrank = () -> guard.run(() -> redis.opsForZSet().remove(Keys.HOT, Long.toString(id)));
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

    /** Drops the cached row now (under the per-key lock) and once more after {@code second-delete}. */
    public void evict(long id) {
        if (!guard.run(() -> evictUnderLock(id))) {
            unevicted.add(id);
        }
        secondDeletesDue.incrementAndGet();
        timer.schedule(
                () -> {
                    if (!guard.run(() -> redis.delete(Keys.meta(id)))) {
                        unevicted.add(id);
                    }
                    secondDeletesDue.decrementAndGet();
                },
                secondDelete.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Delayed second deletes not yet done (tests wait for zero before counting queries). */
    public int secondDeletesDue() {
        return secondDeletesDue.get();
    }

    /**
     * Removes everything Redis holds about a video that is being purged; throws 503 when Redis cannot be
     * reached, so the row (deleted last) stays and the purge is retried.
     */
    public void forget(long id) {
        boolean done = guard.run(() -> {
            redis.delete(Keys.meta(id));
            redis.opsForHash().delete(Keys.VIEWS_PENDING, Long.toString(id));
            redis.opsForZSet().remove(Keys.HOT, Long.toString(id));
        });
        if (!done) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "cache-unavailable",
                    "The video's cached data could not be removed.");
        }
    }

    /** TTL with jitter, so keys written in the same second do not all expire in the same second. */
    Duration jittered(Duration base) {
        double factor = 1 + ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(1000, (long) (base.toMillis() * factor)));
    }

    private Optional<Video> load(long id, boolean viaRedis) {
        CompletableFuture<Optional<Video>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Video>> running = loading.putIfAbsent(id, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            Optional<Video> video = viaRedis ? loadLocked(id, () -> loading.remove(id, mine)) : fromDatabase(id);
            loading.remove(id, mine);
            mine.complete(video);
            return video;
        } catch (RuntimeException e) {
            loading.remove(id, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private Optional<Video> loadLocked(long id, Runnable beforeUnlock) {
        RLock lock = redisson.getLock(Keys.metaLock(id));
        boolean locked;
        try {
            locked = lock.tryLock(5, 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fromDatabase(id);
        } catch (RuntimeException e) {
            guard.failed(e);
            return fromDatabase(id);
        }
        if (!locked) {
            // the loader that held the lock has most likely filled the cache; if not (it is stuck), answer
            // from the database, but never write without the lock
            return cached(id).orElseGet(() -> fromDatabase(id));
        }
        try {
            Optional<Optional<Video>> cached = cached(id);
            if (cached.isPresent()) {
                return cached.get();
            }
            Optional<Video> video = fromDatabase(id);
            guard.run(() -> {
                if (video.isPresent()) {
                    redis.opsForValue().set(Keys.meta(id), json.writeValueAsString(video.get()), jittered(ttl));
                } else {
                    redis.opsForValue().set(Keys.meta(id), Keys.NULL_ENTRY, jittered(nullTtl));
                }
            });
            return video;
        } finally {
            beforeUnlock.run();
            try {
                lock.unlock();
            } catch (RuntimeException e) {
                // the lease ran out or Redis went away: the lock is gone either way
            }
        }
    }

    /** The cached entry (a row or "no row"), empty on a miss. */
    private Optional<Optional<Video>> cached(long id) {
        String cached = guard.call(() -> redis.opsForValue().get(Keys.meta(id)), null);
        return cached == null ? Optional.empty() : decode(cached);
    }

    private Optional<Video> fromDatabase(long id) {
        return Optional.ofNullable(videos.selectById(id));
    }

    private void evictUnderLock(long id) {
        RLock lock = redisson.getLock(Keys.metaLock(id));
        boolean locked = false;
        try {
            locked = lock.tryLock(2, 10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            redis.delete(Keys.meta(id));
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    private void maintain() {
        ids.maintain();
        if (unevicted.isEmpty() || !guard.available()) {
            return;
        }
        List<Long> pending = new ArrayList<>(unevicted);
        if (guard.run(() -> redis.delete(pending.stream().map(Keys::meta).toList()))) {
            unevicted.removeAll(pending);
        }
    }

    /** Empty when the entry is unreadable (an old format): treated as a miss. */
    private Optional<Optional<Video>> decode(String cached) {
        if (Keys.NULL_ENTRY.equals(cached)) {
            return Optional.of(Optional.empty());
        }
        try {
            return Optional.of(Optional.of(json.readValue(cached, Video.class)));
        } catch (JacksonException e) {
            return Optional.empty();
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
