/**
 * Danmaku history: the idempotent consumer that persists {@code danmaku.events} (rows and tombstones) into
 * MySQL, the cache-aside segment cache in Redis, the read API by playback window and 6-minute segment,
 * deletion by sender or owner, and the internal moderation API.
 */
package io.barrage.danmaku.history;
