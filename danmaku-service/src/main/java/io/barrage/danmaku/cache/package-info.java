/**
 * Cache-aside in Redis for values derived from a video's rows (history segments, the density curve): one
 * loader per key, a version per video that a write bumps, jittered TTLs and short-lived empty entries.
 */
package io.barrage.danmaku.cache;
