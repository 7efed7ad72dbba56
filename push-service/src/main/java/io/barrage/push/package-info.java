/**
 * push-service: holds viewers' WebSocket connections in per-video rooms and fans danmaku from
 * {@code danmaku.events} out to them in batched frames (first cut: a single shard that reads every
 * partition).
 */
package io.barrage.push;
