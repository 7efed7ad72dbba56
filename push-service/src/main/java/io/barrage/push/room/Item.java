package io.barrage.push.room;

/**
 * One danmaku as viewers receive it, already serialized: it is written into every frame it appears in
 * (live, replayed from the ring, or fetched from history) without being serialized again.
 *
 * @param createdAtMillis its acknowledgement time, for the delivery-latency metric (0 when unknown)
 */
public record Item(long seq, String id, String json, long createdAtMillis) {}
