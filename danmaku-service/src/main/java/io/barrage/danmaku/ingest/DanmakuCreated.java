package io.barrage.danmaku.ingest;

import java.time.Instant;

/** Version 1 of the event on {@code danmaku.events}, keyed by the video id. */
public record DanmakuCreated(
        String type,
        int version,
        String id,
        long videoId,
        long seq,
        long senderId,
        String text,
        long playbackMs,
        String mode,
        int color,
        String size,
        Instant createdAt) {

    public static final String TYPE = "DanmakuCreated";
    public static final int VERSION = 1;

    static DanmakuCreated of(Danmaku d) {
        return new DanmakuCreated(
                TYPE,
                VERSION,
                d.id(),
                d.videoId(),
                d.seq(),
                d.senderId(),
                d.text(),
                d.playbackMs(),
                d.mode(),
                d.color(),
                d.size(),
                d.createdAt());
    }

    public Danmaku danmaku() {
        return new Danmaku(id, videoId, seq, senderId, text, playbackMs, mode, color, size, createdAt);
    }
}
