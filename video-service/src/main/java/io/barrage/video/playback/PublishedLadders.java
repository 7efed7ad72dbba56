package io.barrage.video.playback;

import io.barrage.video.catalog.Renditions;
import io.barrage.video.catalog.Video;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A video's published rungs and its master playlist, kept in memory once its ladder is complete. Every
 * viewing session asks for the master and a rung playlist; reading {@code video_rendition} from the
 * database for each of them cost as much CPU as serving several segments. While rungs are still being
 * made the listing grows, so it is read every time; once the ladder is {@code DONE} no rung is ever added
 * or withdrawn (a retry or a restore sets the row back to {@code PROCESSING} first), so the listing is kept,
 * keyed by the row's version so that any change to the row reads it again. Whether the video may be seen is
 * still checked by the caller on every request. Bounded: the least recently used video goes first.
 */
final class PublishedLadders {

    /** The published rungs, lowest first, and the master playlist listing them. */
    record Ladder(List<Renditions.Rendition> rungs, byte[] master) {

        boolean publishes(String rung) {
            return rungs.stream().anyMatch(r -> r.name().equals(rung));
        }

        boolean isEmpty() {
            return rungs.isEmpty();
        }
    }

    private record Kept(int version, Ladder ladder) {}

    private final Renditions renditions;
    private final Map<Long, Kept> entries;

    PublishedLadders(Renditions renditions, int maxEntries) {
        this.renditions = renditions;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Kept> eldest) {
                return size() > Math.max(0, maxEntries);
            }
        };
    }

    /** The published ladder of {@code video} (a row the caller has found visible). */
    Ladder of(Video video) {
        long id = video.getId();
        boolean complete = "DONE".equals(video.getLadderState()) && video.getVersion() != null;
        if (complete) {
            synchronized (entries) {
                Kept entry = entries.get(id);
                if (entry != null && entry.version() == video.getVersion()) {
                    return entry.ladder();
                }
            }
        }
        List<Renditions.Rendition> published = renditions.of(id).stream()
                .filter(Renditions.Rendition::published)
                .toList();
        Ladder ladder = new Ladder(published, master(published));
        if (complete) {
            synchronized (entries) {
                entries.put(id, new Kept(video.getVersion(), ladder));
            }
        }
        return ladder;
    }

    static byte[] master(List<Renditions.Rendition> published) {
        StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (Renditions.Rendition rung : published) {
            out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(rung.bandwidth());
            if (rung.averageBandwidth() != null) {
                out.append(",AVERAGE-BANDWIDTH=").append(rung.averageBandwidth());
            }
            if (rung.height() > 0) {
                out.append(",RESOLUTION=").append(rung.width()).append('x').append(rung.height());
            }
            out.append(",CODECS=\"").append(rung.codecs()).append("\"\n");
            out.append(rung.name()).append("/index.m3u8\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
