/**
 * Limits at the edge: per-route token buckets in Redis (Spring Cloud Gateway's {@code RedisRateLimiter}
 * buckets) keyed by the verified user or else the client address, taken a lease of a few tokens at a time
 * so most requests are admitted from memory, with a per-instance fallback while Redis is down; the
 * request-size limit for JSON routes; the CORS allow-list.
 */
package io.barrage.gateway.limits;
