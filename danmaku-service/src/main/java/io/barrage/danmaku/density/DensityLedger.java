package io.barrage.danmaku.density;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Keeps the curve's counts in step with the danmaku table. The persister calls it inside its transaction
 * with the rows of the batch's ids as they were before and after the batch: the difference is exactly what
 * the batch changed, so a redelivered event, a tombstone of a seq that was never stored, or a Created that
 * arrives after its tombstone all change nothing. The curve is never recounted on read.
 */
@Component
public class DensityLedger {

    public static final long BUCKET_MS = 5_000;

    private final DensityMapper mapper;
    private final DensityCache cache;

    DensityLedger(DensityMapper mapper, DensityCache cache) {
        this.mapper = mapper;
        this.cache = cache;
    }

    /** After the commit: the changed videos' cached curves (and moments) are dropped. */
    public void committed(Set<Long> videos) {
        videos.forEach(cache::invalidate);
    }

    /** Applies after − before; returns the videos whose curve changed (for the cache, after the commit). */
    public Set<Long> record(Collection<Placed> before, Collection<Placed> after) {
        Map<Long, Map<Long, Long>> deltas = new TreeMap<>();
        after.forEach(p -> add(deltas, p, 1));
        before.forEach(p -> add(deltas, p, -1));
        List<DensityMapper.Delta> changed = new ArrayList<>();
        deltas.forEach((video, buckets) -> buckets.forEach((bucket, delta) -> {
            if (delta != 0) {
                changed.add(new DensityMapper.Delta(video, bucket, delta));
            }
        }));
        if (!changed.isEmpty()) {
            mapper.add(changed);
        }
        return changed.stream().map(DensityMapper.Delta::videoId).collect(Collectors.toSet());
    }

    private static void add(Map<Long, Map<Long, Long>> deltas, Placed p, long n) {
        deltas.computeIfAbsent(p.videoId(), v -> new TreeMap<>()).merge(p.playbackMs() / BUCKET_MS, n, Long::sum);
    }
}
