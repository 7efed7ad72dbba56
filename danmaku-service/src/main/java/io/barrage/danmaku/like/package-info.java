/**
 * Likes: once per user per danmaku, counted in Redis (one Lua script decides and counts, so concurrent
 * likes count exactly) and flushed to MariaDB in batches by one flusher at a time, so a popular danmaku is
 * one row update per flush instead of one per like. The flush is idempotent: a batch replayed after a crash
 * adds nothing twice.
 */
package io.barrage.danmaku.like;
