package io.barrage.video.catalog;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
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
            VideoCacheProperties properties) {
        this.redis = redis;
        this.redisson = redisson;
        this.guard = guard;
        this.videos = videos;
        this.ids = ids;
        this.json = json;
        this.ttl = properties.ttl();
        this.nullTtl = properties.nullTtl();
        this.jitter = properties.jitter();
        this.secondDelete = properties.secondDelete();
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

    /** The row with this id, any status: one round trip on a hit. */
    public Optional<Video> find(long id) {
        Optional<String> read =
                guard.call(() -> Optional.ofNullable(redis.opsForValue().get(Keys.meta(id))), null);
        if (read == null) {
            return load(id, false); // Redis is unavailable
        }
        if (read.isPresent()) {
            Optional<Optional<Video>> decoded = decode(read.get());
            if (decoded.isPresent()) {
                return decoded.get();
            }
        }
        // consulted on a miss only, so a hit stays one round trip
        if (ids.definitelyAbsent(id)) {
            return Optional.empty();
        }
        return load(id, true);
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
     * Removes the cached row of a video that is being purged; throws 503 when Redis cannot be reached, so
     * the row (deleted last) stays and the purge is retried.
     */
    public void forget(long id) {
        boolean done = guard.run(() -> redis.delete(Keys.meta(id)));
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
}
