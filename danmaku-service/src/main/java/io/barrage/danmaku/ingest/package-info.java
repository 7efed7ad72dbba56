/**
 * Danmaku ingest: validate a POST, give it an id and a per-video seq, and acknowledge it only once Kafka
 * has stored the {@code DanmakuCreated} event.
 */
package io.barrage.danmaku.ingest;
