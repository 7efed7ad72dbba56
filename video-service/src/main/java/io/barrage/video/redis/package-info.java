/**
 * Redis as this service uses it: every key name in one place ({@link io.barrage.video.redis.Keys}), and the
 * outage policy ({@link io.barrage.video.redis.RedisGuard}): Redis is an accelerator here, so when it is down
 * the service answers from MariaDB instead of failing.
 */
package io.barrage.video.redis;
