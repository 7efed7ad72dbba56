package io.barrage.video.transcode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A rung's media playlist as it grows. ffmpeg rewrites its local playlist after each segment it closes;
 * the worker stores the segments listed so far and then a playlist naming exactly those, as an EVENT
 * playlist (RFC 8216 §4.3.3.5: lines are only ever appended) that starts at the beginning, and the same
 * lines plus {@code #EXT-X-ENDLIST} once ffmpeg is done. A viewer who opens the video while it is being
 * made plays from the start and meets the end only when there is one.
 */
final class RungPlaylist {

    private static final Pattern SEGMENT = Pattern.compile("seg_\\d{5}\\.ts");

    /** A segment file and its duration in seconds. */
    record Segment(String name, double seconds) {}

    private RungPlaylist() {}

    /** The segments ffmpeg's playlist lists, in order; a name it should never write is refused. */
    static List<Segment> parse(String playlist) {
        List<Segment> segments = new ArrayList<>();
        double pending = 0;
        for (String line : playlist.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#EXTINF:")) {
                String value = trimmed.substring("#EXTINF:".length());
                int comma = value.indexOf(',');
                pending = Double.parseDouble(comma < 0 ? value : value.substring(0, comma));
            } else if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
                if (!SEGMENT.matcher(trimmed).matches()) {
                    throw new IllegalArgumentException("unexpected segment " + trimmed);
                }
                segments.add(new Segment(trimmed, pending));
                pending = 0;
            }
        }
        return segments;
    }

    /** Whether ffmpeg's playlist is complete. */
    static boolean ended(String playlist) {
        return playlist.contains("#EXT-X-ENDLIST");
    }

    /**
     * The playlist naming {@code segments}; {@code ended} adds the end. The target duration is the
     * segment length asked of ffmpeg (a remuxed rung's keyframes fit it, see {@link Keyframes}), so it
     * stays the same as the playlist grows.
     */
    static String of(List<Segment> segments, int segmentSeconds, boolean ended) {
        long target = segmentSeconds;
        for (Segment segment : segments) {
            target = Math.max(target, Math.round(segment.seconds()));
        }
        StringBuilder out = new StringBuilder(96 + segments.size() * 32)
                .append("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:")
                .append(target)
                .append("\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:EVENT\n")
                // without it a player treats a playlist with no end as live and starts near its edge
                .append("#EXT-X-START:TIME-OFFSET=0\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (Segment segment : segments) {
            out.append(String.format(Locale.ROOT, "#EXTINF:%.6f,", segment.seconds()))
                    .append('\n')
                    .append(segment.name())
                    .append('\n');
        }
        if (ended) {
            out.append("#EXT-X-ENDLIST\n");
        }
        return out.toString();
    }
}
