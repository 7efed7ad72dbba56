package io.barrage.gateway.limits;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How many tokens a gateway instance takes from a key's global bucket in Redis at once (a lease), so that
 * the requests after the first are admitted from memory; the defaults are in application.yml.
 *
 * <p>A route's lease is {@code replenishRate × window} tokens, at least the tokens one request needs and
 * at most {@code maxTokens} (and the route's burst). 1 turns leasing off: every limited request asks
 * Redis, as Spring Cloud Gateway's {@code RedisRateLimiter} does.
 *
 * @param maxTokens the largest lease
 * @param window the share of a route's refill one lease may take, as time: 200 ms of a 10/s route is 2
 *     tokens
 * @param ttl how long leased tokens stay usable: unused ones are dropped (not given back), so a lease
 *     never lets a key be served long after Redis counted it
 * @param maxKeys the most keys holding a lease at once (least recently used ones go first), so clients
 *     rotating keys cannot grow the gateway's memory
 */
@ConfigurationProperties("barrage.gateway.rate-limits.lease")
record LeaseProperties(int maxTokens, Duration window, Duration ttl, int maxKeys) {

    LeaseProperties {
        if (maxTokens < 1 || maxKeys < 1) {
            throw new IllegalStateException("barrage.gateway.rate-limits.lease: max-tokens and max-keys must be >= 1");
        }
        if (window.isNegative() || ttl.isZero() || ttl.isNegative()) {
            throw new IllegalStateException(
                    "barrage.gateway.rate-limits.lease: window must not be negative, ttl must be positive");
        }
    }

    /** The tokens to ask Redis for when a key's lease is empty. */
    long size(int replenishRate, long burstCapacity, int requestedTokens) {
        long share = (long) Math.floor(replenishRate * (window.toNanos() / 1e9));
        long most = Math.max(requestedTokens, Math.min(maxTokens, burstCapacity));
        return Math.max(requestedTokens, Math.min(share, most));
    }
}
