package io.barrage.video.upload;

/** What the movie header says; width and height are null when there is no video track. */
record Mp4Info(long durationMs, Integer width, Integer height) {

    static final Mp4Info UNKNOWN = new Mp4Info(0, null, null);
}
