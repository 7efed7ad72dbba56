package io.barrage.danmaku.ingest;

/** The body of a POST; the sender comes from the trusted identity, never from here. */
record CreateDanmakuRequest(String text, Long playbackMs, String mode, Long color, String size) {}
