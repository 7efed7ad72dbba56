package io.barrage.danmaku.density;

import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The labelled peaks of a video's curve. A moment spans its peak bucket and one bucket either side (people
 * type a little after what they react to); its label is the most common terms of the danmaku in that span.
 * Computed from the cached curve and cached under the curve's version, so it is recomputed only after the
 * curve changed: at most {@code max} bounded text reads per change.
 */
@Component
class HotMoments {

    static final String NAME = "moments";

    private final DensityCache cache;
    private final DensityMapper mapper;
    private final MomentsProperties properties;
    private final JsonMapper json;

    HotMoments(DensityCache cache, DensityMapper mapper, MomentsProperties properties, JsonMapper json) {
        this.cache = cache;
        this.mapper = mapper;
        this.properties = properties;
        this.json = json;
    }

    record Moment(long startMs, long endMs, long peakMs, long danmaku, List<String> words, String label) {}

    List<Moment> of(long videoId) {
        String value = cache.derived(NAME, videoId, () -> json.writeValueAsString(compute(videoId)));
        return List.of(json.readValue(value, Moment[].class));
    }

    private List<Moment> compute(long videoId) {
        long[] counts = Curve.dense(cache.buckets(videoId));
        List<Moment> moments = new ArrayList<>();
        for (Peaks.Peak peak : Peaks.find(
                counts, properties.neighbourhood(), properties.minDanmaku(), properties.factor(), properties.max())) {
            long bucket = DensityLedger.BUCKET_MS;
            long start = Math.max(0, (peak.bucket() - 1) * bucket);
            long end = (peak.bucket() + 2) * bucket;
            List<String> words =
                    Labels.top(mapper.texts(videoId, start, end, properties.textsPerMoment()), properties.words());
            moments.add(
                    new Moment(start, end, peak.bucket() * bucket, peak.danmaku(), words, String.join(" · ", words)));
        }
        return moments;
    }

    /** WebVTT chapters: one cue per moment, its label as the title (or its count when nothing repeats). */
    static String webVtt(List<Moment> moments) {
        StringBuilder vtt = new StringBuilder("WEBVTT\n");
        int n = 1;
        for (Moment m : moments) {
            vtt.append('\n')
                    .append(n++)
                    .append('\n')
                    .append(timestamp(m.startMs()))
                    .append(" --> ")
                    .append(timestamp(m.endMs()))
                    .append('\n')
                    .append(m.label().isEmpty() ? m.danmaku() + " danmaku" : m.label())
                    .append('\n');
        }
        return vtt.toString();
    }

    private static String timestamp(long ms) {
        return String.format("%02d:%02d:%02d.%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    }
}
