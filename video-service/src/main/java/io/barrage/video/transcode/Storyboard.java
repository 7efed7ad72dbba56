package io.barrage.video.transcode;

import java.util.Locale;

/**
 * The seek preview: one 160×90 frame every {@code interval} seconds (5, or longer so that there are at
 * most 100), tiled 10 to a row into one JPEG sprite, and a WebVTT track whose cues point into it with
 * {@code #xywh}.
 */
record Storyboard(double seconds, int interval, int tiles, int columns, int rows) {

    static final int WIDTH = 160;
    static final int HEIGHT = 90;
    static final String SPRITE = "sprite-0.jpg";
    static final String VTT = "thumbnails.vtt";

    static Storyboard of(double seconds) {
        double length = Math.max(seconds, 0.1);
        int interval = (int) Math.max(5, Math.ceil(length / 100));
        int tiles = (int) Math.max(1, Math.ceil(length / interval));
        int columns = Math.min(10, tiles);
        int rows = (tiles + columns - 1) / columns;
        return new Storyboard(length, interval, tiles, columns, rows);
    }

    /** The ffmpeg filter from a video stream to the sprite (one output frame). */
    String filter() {
        return "fps=1/" + interval + ",scale=" + WIDTH + ":" + HEIGHT + ":force_original_aspect_ratio=decrease,pad="
                + WIDTH + ":" + HEIGHT + ":(ow-iw)/2:(oh-ih)/2,setsar=1,tile=" + columns + "x" + rows;
    }

    String vtt() {
        StringBuilder out = new StringBuilder("WEBVTT\n\n");
        for (int i = 0; i < tiles; i++) {
            double start = (double) i * interval;
            double end = Math.min(start + interval, seconds);
            if (end <= start) {
                end = start + 0.001;
            }
            out.append(time(start))
                    .append(" --> ")
                    .append(time(end))
                    .append('\n')
                    .append(SPRITE)
                    .append("#xywh=")
                    .append((i % columns) * WIDTH)
                    .append(',')
                    .append((i / columns) * HEIGHT)
                    .append(',')
                    .append(WIDTH)
                    .append(',')
                    .append(HEIGHT)
                    .append("\n\n");
        }
        return out.toString();
    }

    private static String time(double seconds) {
        long ms = Math.round(seconds * 1000);
        return String.format(
                Locale.ROOT, "%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }
}
