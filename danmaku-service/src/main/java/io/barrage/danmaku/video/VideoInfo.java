package io.barrage.danmaku.video;

/** video-service's internal view of a video. */
public record VideoInfo(long id, long ownerId, long durationMs, String status) {

    public boolean ready() {
        return "READY".equals(status);
    }
}
