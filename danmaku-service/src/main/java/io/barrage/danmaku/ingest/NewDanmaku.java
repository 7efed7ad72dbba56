package io.barrage.danmaku.ingest;

/** The body of a POST (or what a compatibility format maps to); the sender comes from the trusted identity. */
public record NewDanmaku(String text, Long playbackMs, String mode, Long color, String size) {}
