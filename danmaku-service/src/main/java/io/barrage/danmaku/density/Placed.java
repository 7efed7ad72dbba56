package io.barrage.danmaku.density;

/** Where a stored danmaku sits on a video's timeline: all the curve needs to know of it. */
public record Placed(long videoId, long playbackMs) {}
