/**
 * Limits at the edge: per-route token buckets in Redis (Spring Cloud Gateway's {@code RedisRateLimiter})
 * keyed by the verified user or else the client address, with a per-instance fallback while Redis is
 * down; the request-size limit for JSON routes; the CORS allow-list.
 */
package io.barrage.gateway.limits;
