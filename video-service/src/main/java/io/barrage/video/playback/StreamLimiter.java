package io.barrage.video.playback;

import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.stereotype.Component;

/**
 * Concurrent streams per client, counted in Redis so the limit holds across all replicas (an in-JVM
 * semaphore would allow replicas × limit, and a client's ranged requests are spread over replicas by the
 * load balancer). Taking a slot is one atomic script: INCR, refresh the TTL, give it back if over the
 * limit. The TTL is the safety net for slots an instance never returns because it died; every take
 * refreshes it, so a busy client's counter does not expire under it. If Redis is down, streaming goes on
 * without a limit: playback matters more than the cap.
 */
@Component
class StreamLimiter {

    private static final Logger log = LoggerFactory.getLogger(StreamLimiter.class);

    private static final DefaultRedisScript<Long> ACQUIRE = new DefaultRedisScript<>("""
            local n = redis.call('INCR', KEYS[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            if n > tonumber(ARGV[1]) then
              redis.call('DECR', KEYS[1])
              return 0
            end
            return n
            """, Long.class);

    private static final DefaultRedisScript<Long> RELEASE = new DefaultRedisScript<>("""
            local n = redis.call('DECR', KEYS[1])
            if n <= 0 then
              redis.call('DEL', KEYS[1])
            end
            return n
            """, Long.class);

    /** A taken slot; closing gives it back, once. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final StringRedisTemplate redis;
    private final PlaybackProperties properties;

    StreamLimiter(StringRedisTemplate redis, PlaybackProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** A slot for {@code client}, or empty when it already has the maximum number of streams. */
    Optional<Slot> acquire(String client) {
        String key = "video:streams:" + client;
        Long taken;
        try {
            taken = redis.execute(
                    ACQUIRE,
                    List.of(key),
                    Integer.toString(properties.streamsPerClient()),
                    Long.toString(Math.max(1, properties.streamSlotTtl().toSeconds())));
        } catch (RuntimeException e) {
            log.warn("stream limiter unavailable, streaming without a limit: {}", e.toString());
            return Optional.of(() -> {});
        }
        if (taken == null || taken == 0) {
            return Optional.empty();
        }
        boolean[] released = {false};
        return Optional.of(() -> {
            if (released[0]) {
                return;
            }
            released[0] = true;
            try {
                redis.execute(RELEASE, List.of(key));
            } catch (RuntimeException e) {
                // the TTL gives the slot back eventually
                log.warn("could not release a stream slot of {}: {}", client, e.toString());
            }
        });
    }
}
