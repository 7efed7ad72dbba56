package io.barrage.gateway.limits;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Per-route token buckets, one per key, shared by all instances through Redis (Spring Cloud Gateway's
 * {@link RedisRateLimiter}: its configuration, its keys, its refill rule), asked a lease at a time and
 * still limiting while Redis is down.
 *
 * <p>Leases: when a key has no token at hand, this instance takes up to a lease's worth from the key's
 * bucket in Redis in one script call ({@code rate-limits/lease-tokens.lua}) and keeps the rest in {@link
 * TokenLeases}; the key's next requests are admitted from memory, with no Redis round trip and no hop to
 * its client's thread (a danmaku POST spent 22 % of the gateway's CPU there: docs/benchmarks.md). Every
 * admitted request was counted in Redis, so the global limit holds across instances; a key served by
 * several instances can lose what their leases hold when it stops (at most a lease each, dropped after
 * the lease's time-to-live). See {@link LeaseProperties} for the lease's size.
 *
 * <p>Outages: the library answers "allowed, remaining -1" when Redis fails. Here the key is limited by
 * {@link OutageBuckets} instead, and for a second after a failure Redis is not asked at all, so a
 * request pays nothing for the outage.
 */
class ResilientRateLimiter extends RedisRateLimiter {

    /** However Redis fails (refused, half-open socket, reconnecting), a request waits at most this long. */
    private static final Duration REDIS_BUDGET = Duration.ofMillis(750);

    /** After a failed call, requests go to the outage buckets for this long before Redis is asked again. */
    private static final long RETRY_REDIS_AFTER_NANOS = Duration.ofSeconds(1).toNanos();

    private final ReactiveStringRedisTemplate redis;
    private final RedisScript<List<Long>> leaseScript;
    private final LeaseProperties leaseProperties;
    private final TokenLeases leases;
    private final OutageBuckets outage = new OutageBuckets();
    private volatile long redisFailedAt = System.nanoTime() - 2 * RETRY_REDIS_AFTER_NANOS;

    /**
     * @param libraryScript the library's own script, which this class never runs (its leases need "up
     *     to n tokens"); its parent class requires one
     */
    ResilientRateLimiter(
            ReactiveStringRedisTemplate redis,
            RedisScript<List<Long>> libraryScript,
            RedisScript<List<Long>> leaseScript,
            ConfigurationService configurationService,
            LeaseProperties leaseProperties) {
        super(redis, libraryScript, configurationService);
        this.redis = redis;
        this.leaseScript = leaseScript;
        this.leaseProperties = leaseProperties;
        this.leases = new TokenLeases(leaseProperties.maxKeys(), leaseProperties.ttl());
    }

    @Override
    public Mono<Response> isAllowed(String routeId, String id) {
        Config config = getConfig().get(routeId);
        if (config == null) {
            return Mono.just(new Response(true, Map.of()));
        }
        String key = routeId + "." + id;
        int requested = config.getRequestedTokens();
        long left = leases.take(key, requested);
        if (left >= 0) {
            return Mono.just(response(config, true, left));
        }
        if (System.nanoTime() - redisFailedAt < RETRY_REDIS_AFTER_NANOS) {
            return Mono.just(locally(config, key));
        }
        long lease = leaseProperties.size(config.getReplenishRate(), config.getBurstCapacity(), requested);
        List<String> args = List.of(
                Integer.toString(config.getReplenishRate()),
                Long.toString(config.getBurstCapacity()),
                Long.toString(lease),
                Integer.toString(requested));
        return Flux.defer(() -> redis.execute(leaseScript, keys(routeId, id), args))
                .reduce(new ArrayList<Long>(), (all, part) -> {
                    all.addAll(part);
                    return all;
                })
                .timeout(REDIS_BUDGET)
                .map(result -> {
                    long granted = result.get(0);
                    long globalLeft = result.get(1);
                    if (granted < requested) {
                        return response(config, false, globalLeft);
                    }
                    if (granted > requested) {
                        leases.add(key, granted - requested, globalLeft);
                    }
                    return response(config, true, granted - requested + globalLeft);
                })
                .onErrorResume(failure -> {
                    redisFailedAt = System.nanoTime();
                    return Mono.fromSupplier(() -> locally(config, key));
                });
    }

    private Response locally(Config config, String key) {
        long left = outage.take(key, config.getReplenishRate(), config.getBurstCapacity(), config.getRequestedTokens());
        return response(config, left >= 0, Math.max(left, 0));
    }

    private Response response(Config config, boolean allowed, long left) {
        return new Response(allowed, getHeaders(config, left));
    }

    /** The library's keys, so its script and this one count the same bucket (e.g. during a rolling upgrade). */
    static List<String> keys(String routeId, String id) {
        String prefix = "request_rate_limiter.{" + routeId + "." + id + "}.";
        return List.of(prefix + "tokens", prefix + "timestamp");
    }
}
