package io.barrage.gateway.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

/**
 * {@link RedisRateLimiter} (one token bucket per route and key, shared by all instances through Redis)
 * that does not simply fail open when Redis is down.
 *
 * <p>The library answers "allowed, remaining -1" when its Redis call fails. Here that answer is replaced
 * by the same bucket kept in this instance's memory: during an outage the limits still hold per
 * instance (so the cluster admits at most instances × limit), nobody is refused because of the outage
 * itself, and no request waits for Redis. This is "fail open, but bounded".
 */
class ResilientRateLimiter extends RedisRateLimiter {

    /**
     * Not this class's own name: the library logs every failed Redis call at ERROR with a full stack trace
     * under the concrete class's name, which application.yml silences; the outage is reported here, once
     * per minute at most.
     */
    private static final Logger log = LoggerFactory.getLogger("io.barrage.gateway.limits.RateLimits");

    /** However Redis fails (refused, half-open socket, reconnecting), a request waits at most this long. */
    private static final Duration REDIS_BUDGET = Duration.ofMillis(750);

    private final AtomicLong lastOutageLog =
            new AtomicLong(System.nanoTime() - Duration.ofMinutes(2).toNanos());

    private final Cache<String, LocalBucket> local = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(5))
            .build();

    ResilientRateLimiter(
            ReactiveStringRedisTemplate redis,
            RedisScript<List<Long>> script,
            ConfigurationService configurationService) {
        super(redis, script, configurationService);
    }

    @Override
    public Mono<Response> isAllowed(String routeId, String id) {
        return super.isAllowed(routeId, id)
                .timeout(REDIS_BUDGET, Mono.fromSupplier(() -> locally(routeId, id)))
                .map(response -> {
                    if (!"-1".equals(response.getHeaders().get(getRemainingHeader()))) {
                        return response;
                    }
                    return locally(routeId, id);
                });
    }

    private Response locally(String routeId, String id) {
        Config config = getConfig().get(routeId);
        if (config == null) {
            return new Response(true, Map.of());
        }
        long now = System.nanoTime();
        long last = lastOutageLog.get();
        if (now - last > Duration.ofMinutes(1).toNanos() && lastOutageLog.compareAndSet(last, now)) {
            log.warn("Redis unavailable: rate limiting in this instance's memory until it is back");
        }
        LocalBucket bucket = local.get(
                routeId + ":" + id, k -> new LocalBucket(config.getReplenishRate(), config.getBurstCapacity()));
        long left = bucket.take(config.getRequestedTokens());
        boolean allowed = left >= 0;
        return new Response(
                allowed,
                Map.of(
                        getRemainingHeader(), Long.toString(Math.max(left, 0)),
                        getReplenishRateHeader(), Integer.toString(config.getReplenishRate()),
                        getBurstCapacityHeader(), Long.toString(config.getBurstCapacity()),
                        getRequestedTokensHeader(), Integer.toString(config.getRequestedTokens())));
    }

    /** The same refill rule as the library's Lua script, in memory. */
    static final class LocalBucket {
        private final double ratePerNano;
        private final long capacity;
        private double tokens;
        private long refilledAt = System.nanoTime();

        LocalBucket(int replenishPerSecond, long capacity) {
            this.ratePerNano = replenishPerSecond / 1e9;
            this.capacity = capacity;
            this.tokens = capacity;
        }

        /** Tokens left after taking, or -1 when there were not enough (nothing is taken then). */
        synchronized long take(int requested) {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - refilledAt) * ratePerNano);
            refilledAt = now;
            if (tokens < requested) {
                return -1;
            }
            tokens -= requested;
            return (long) tokens;
        }
    }
}
