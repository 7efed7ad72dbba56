package io.barrage.danmaku.ingest;

/**
 * Version 1 of the tombstone on {@code danmaku.events}, keyed by the video id: the danmaku was deleted by
 * its sender, the video's owner or moderation, or its seq was voided because its publication could not be
 * confirmed. Either way live viewers and caches drop it, and the seq is accounted for.
 */
public record DanmakuDeleted(String type, int version, String id, long videoId, long seq) {

    public static final String TYPE = "DanmakuDeleted";
    public static final int VERSION = 1;

    public static DanmakuDeleted of(long id, long videoId, long seq) {
        return new DanmakuDeleted(TYPE, VERSION, Long.toString(id), videoId, seq);
    }
}
