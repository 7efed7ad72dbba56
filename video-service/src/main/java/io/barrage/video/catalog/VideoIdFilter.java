package io.barrage.video.catalog;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import io.barrage.video.redis.Keys;
import io.barrage.video.redis.RedisGuard;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RBloomFilter;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A Bloom filter of every id that ever had a row, so reads of ids that never existed (random probing,
 * penetration) are answered without MariaDB. Its "absent" is only believed once the filter is known to be
 * complete: the ready marker names the filter's generation, and a rebuild (after Redis lost its data) fills
 * a new generation before publishing it, so nobody trusts a half-built filter. Purged ids stay in the
 * filter (a Bloom filter cannot forget); they fall through to the short-lived null entry.
 */
@Component
public class VideoIdFilter {

    private static final Logger log = LoggerFactory.getLogger(VideoIdFilter.class);
    private static final int PAGE = 10_000;

    private final RedissonClient redisson;
    private final RedisGuard guard;
    private final VideoMapper videos;
    private final long expectedInsertions;
    private final double falseProbability;

    /** The generation this instance trusts, or null while it trusts none. */
    private volatile String generation;
    /** Ids whose add failed (Redis down): until they are in, no "absent" is believed. */
    private final Set<Long> unrecorded = ConcurrentHashMap.newKeySet();

    VideoIdFilter(RedissonClient redisson, RedisGuard guard, VideoMapper videos, VideoCacheProperties properties) {
        this.redisson = redisson;
        this.guard = guard;
        this.videos = videos;
        this.expectedInsertions = properties.idFilter().expectedInsertions();
        this.falseProbability = properties.idFilter().falseProbability();
    }

    /** True only when the id certainly never had a row. */
    boolean definitelyAbsent(long id) {
        String gen = generation;
        if (gen == null || !unrecorded.isEmpty() || !guard.available()) {
            return false;
        }
        try {
            boolean absent = !filter(gen).contains(Long.toString(id));
            return absent;
        } catch (IllegalStateException e) {
            // "not initialized": Redis lost the filter; stop trusting it until it is rebuilt
            generation = null;
            return false;
        } catch (RuntimeException e) {
            guard.failed(e);
            return false;
        }
    }

    /** Called for every inserted row (see {@link CacheInvalidation}). */
    void record(long id) {
        String gen = generation;
        if (gen == null) {
            unrecorded.add(id);
            return;
        }
        try {
            filter(gen).add(Long.toString(id));
        } catch (RuntimeException e) {
            if (!(e instanceof IllegalStateException)) {
                guard.failed(e);
            }
            unrecorded.add(id);
        }
    }

    /** Learns or builds the filter, and records ids whose add failed; run at start-up and every few seconds. */
    void maintain() {
        if (!guard.available()) {
            return;
        }
        try {
            String gen = generation;
            if (gen == null) {
                gen = redisson.<String>getBucket(Keys.ID_FILTER_READY, StringCodec.INSTANCE)
                        .get();
                if (gen == null || !filter(gen).isExists()) {
                    gen = rebuild();
                }
            }
            if (gen == null) {
                return;
            }
            for (Long id : List.copyOf(unrecorded)) {
                filter(gen).add(Long.toString(id));
                unrecorded.remove(id);
            }
            generation = gen;
        } catch (IllegalStateException e) {
            generation = null;
        } catch (RuntimeException e) {
            guard.failed(e);
        }
    }

    private String rebuild() {
        RLock lock = redisson.getLock(Keys.ID_FILTER_LOCK);
        boolean locked;
        try {
            locked = lock.tryLock(0, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (!locked) {
            return null; // another instance is building; learn its generation next time
        }
        try {
            var ready = redisson.<String>getBucket(Keys.ID_FILTER_READY, StringCodec.INSTANCE);
            String current = ready.get();
            if (current != null && filter(current).isExists()) {
                return current;
            }
            String gen = UUID.randomUUID().toString();
            RBloomFilter<String> filter = filter(gen);
            filter.tryInit(expectedInsertions, falseProbability);
            long count = 0;
            long after = 0;
            while (true) {
                List<Long> ids = videos
                        .selectObjs(new QueryWrapper<Video>()
                                .select("id")
                                .gt("id", after)
                                .orderByAsc("id")
                                .last("LIMIT " + PAGE))
                        .stream()
                        .map(o -> ((Number) o).longValue())
                        .toList();
                if (ids.isEmpty()) {
                    break;
                }
                filter.add(ids.stream().map(String::valueOf).toList());
                count += ids.size();
                after = ids.getLast();
            }
            ready.set(gen);
            if (current != null) {
                filter(current).delete();
            }
            log.info("built the video id filter {} with {} ids", gen, count);
            return gen;
        } finally {
            lock.unlock();
        }
    }

    private RBloomFilter<String> filter(String gen) {
        return redisson.getBloomFilter(Keys.ID_FILTER + ":" + gen, StringCodec.INSTANCE);
    }
}
