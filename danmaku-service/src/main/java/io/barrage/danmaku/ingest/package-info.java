/**
 * Danmaku ingest: validate a POST (content rules, banned words, the video, Idempotency-Key, rate limits),
 * give it a Snowflake id and, through the {@link io.barrage.danmaku.ingest.Sequencer}, the next gap-free
 * per-video seq, and acknowledge it only once Kafka has stored the {@code DanmakuCreated} event. The event
 * records ({@code DanmakuCreated}, {@code DanmakuDeleted}) and their publisher live here too.
 */
package io.barrage.danmaku.ingest;
