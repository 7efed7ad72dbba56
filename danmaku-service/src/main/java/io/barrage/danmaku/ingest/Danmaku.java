package io.barrage.danmaku.ingest;

import java.time.Instant;

/** A danmaku as clients see it. The id is a string because JavaScript numbers stop at 2^53. */
public record Danmaku(
        String id,
        long videoId,
        long seq,
        long senderId,
        String text,
        long playbackMs,
        String mode,
        int color,
        String size,
        Instant createdAt) {}
