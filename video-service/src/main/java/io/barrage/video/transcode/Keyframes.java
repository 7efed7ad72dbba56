package io.barrage.video.transcode;

import java.util.ArrayList;
import java.util.List;

/**
 * The longest keyframe interval at the start of a source, which decides whether a rung may be remuxed: a
 * remuxed rung keeps the source's GOP, and the HLS muxer can only cut at a keyframe, so a source with one
 * keyframe in 12 s made one 12 s segment. Read from ffprobe's packet list ({@code -show_entries
 * packet=pts_time,dts_time,flags}, demuxed, nothing decoded): the packet's key flag is exactly what the HLS
 * muxer cuts on.
 */
final class Keyframes {

    /** How much of the source is looked at; a GOP is a property of the encoder, seen from the start. */
    static final int WINDOW_SECONDS = 30;

    private Keyframes() {}

    /**
     * The longest stretch, in seconds, without a keyframe in ffprobe's CSV ({@code pts,dts,flags} per line)
     * of one video stream: between two keyframes, or from the last keyframe to the last packet (plus one
     * frame); {@code Double.POSITIVE_INFINITY} when no packet is a keyframe or nothing could be read.
     */
    static double longestGap(String csv, double frameSeconds) {
        List<Double> keys = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (String line : csv.split("\n")) {
            String[] fields = line.trim().split(",");
            if (fields.length < 3) {
                continue;
            }
            double time = number(fields[0]);
            if (Double.isNaN(time)) {
                time = number(fields[1]);
            }
            if (Double.isNaN(time)) {
                continue;
            }
            last = Math.max(last, time);
            if (fields[2].startsWith("K")) {
                keys.add(time);
            }
        }
        if (keys.isEmpty()) {
            return Double.POSITIVE_INFINITY;
        }
        keys.sort(Double::compare);
        double longest = 0;
        for (int i = 1; i < keys.size(); i++) {
            longest = Math.max(longest, keys.get(i) - keys.get(i - 1));
        }
        return Math.max(longest, last + Math.max(0, frameSeconds) - keys.getLast());
    }

    private static double number(String text) {
        try {
            double value = Double.parseDouble(text.trim());
            return Double.isFinite(value) ? value : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
