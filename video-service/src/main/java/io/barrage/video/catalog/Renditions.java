package io.barrage.video.catalog;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Reads of {@code video_rendition}, the rungs of a video's ladder (written by the transcode worker). A
 * rung in state DONE is complete: all its objects are stored; a GROWING one is listed while it is made.
 */
@Repository
public class Renditions {

    public record Rendition(
            String name,
            int height,
            int width,
            String state,
            int percent,
            Long bandwidth,
            Long averageBandwidth,
            String codecs) {

        public boolean done() {
            return "DONE".equals(state);
        }

        /**
         * Listed in the master playlist: complete, or being made with the segments so far stored and its
         * playlist naming only those (GROWING; see the transcode worker).
         */
        public boolean published() {
            return done() || "GROWING".equals(state);
        }
    }

    private final JdbcTemplate jdbc;

    Renditions(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Every rung of the video, lowest first (audio-only, height 0, first). */
    public List<Rendition> of(long videoId) {
        return jdbc.query(
                "SELECT name, height, width, state, percent, bandwidth, average_bandwidth, codecs"
                        + " FROM video_rendition WHERE video_id = ? ORDER BY height, name",
                (rs, n) -> new Rendition(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getInt(3),
                        rs.getString(4),
                        rs.getInt(5),
                        (Long) rs.getObject(6, Long.class),
                        (Long) rs.getObject(7, Long.class),
                        rs.getString(8)),
                videoId);
    }

    /** What {@code processing} shows: null once nothing is left to make. */
    VideoView.Processing processing(long videoId) {
        List<Rendition> rungs = of(videoId);
        if (rungs.isEmpty()) {
            return new VideoView.Processing(0, List.of());
        }
        int percent = (int) Math.round(rungs.stream()
                .mapToInt(r -> r.done() ? 100 : r.percent())
                .average()
                .orElse(0));
        return new VideoView.Processing(
                Math.min(percent, 100),
                rungs.stream()
                        .map(r -> new VideoView.Rung(r.name(), r.height(), r.state(), r.done() ? 100 : r.percent()))
                        .toList());
    }
}
