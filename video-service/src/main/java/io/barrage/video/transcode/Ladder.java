package io.barrage.video.transcode;

import java.util.ArrayList;
import java.util.List;

/**
 * Which rungs a source gets: 240p, 360p, 480p, 720p and 1080p up to the source's height (never above),
 * plus the source's own height when it falls between two of them (or below the lowest). A rung at the
 * source's size whose source is already H.264 (with AAC or no audio) at a frame rate within the cap is
 * remuxed, not encoded, unless the source's keyframes are further apart than a segment (a remuxed rung
 * keeps the source's GOP). An audio-only source gets one audio rung.
 */
final class Ladder {

    static final int[] HEIGHTS = {240, 360, 480, 720, 1080};
    static final String AUDIO = "audio";

    /** {@code name} is the folder under hls/ and the label clients show. */
    record Rung(String name, int width, int height, boolean copy, int maxrateKbps) {

        boolean audioOnly() {
            return height == 0;
        }
    }

    private Ladder() {}

    static List<Rung> plan(MediaInfo source, int maxFps) {
        return plan(source, maxFps, true);
    }

    /**
     * {@code remux}: whether the source's keyframes allow a remuxed rung (they come at least once per
     * segment, see {@link Keyframes}); false encodes every rung.
     */
    static List<Rung> plan(MediaInfo source, int maxFps, boolean remux) {
        if (!source.hasVideo()) {
            return List.of(new Rung(AUDIO, 0, 0, false, 0));
        }
        int height = source.height();
        List<Integer> heights = new ArrayList<>();
        for (int h : HEIGHTS) {
            if (h <= height) {
                heights.add(h);
            }
        }
        if (!heights.contains(height) && height < HEIGHTS[HEIGHTS.length - 1]) {
            heights.add(height);
        }
        heights.sort(Integer::compare);
        boolean copyable = remux
                && "h264".equals(source.videoCodec())
                && (!source.hasAudio() || "aac".equals(source.audioCodec()))
                && source.fps() <= maxFps
                && ("yuv420p".equals(source.pixelFormat()) || "yuvj420p".equals(source.pixelFormat()))
                && source.width() % 2 == 0
                && source.height() % 2 == 0;
        List<Rung> rungs = new ArrayList<>();
        for (int h : heights) {
            int even = h - (h % 2);
            int width = (int) Math.round((double) source.width() * even / height);
            width -= width % 2;
            rungs.add(new Rung(h + "p", Math.max(2, width), Math.max(2, even), copyable && h == height, maxrate(h)));
        }
        return rungs;
    }

    private static int maxrate(int height) {
        if (height <= 240) {
            return 500;
        } else if (height <= 360) {
            return 900;
        } else if (height <= 480) {
            return 1400;
        } else if (height <= 720) {
            return 3000;
        }
        return 6000;
    }
}
