package io.barrage.video.catalog;

import java.util.Collection;
import java.util.Map;

/**
 * What the catalogue needs from {@code stats}: the views counted but not yet in the row, and the removal
 * of a video from the ranking and the counters. Implemented there; an interface only so that the
 * catalogue, which stats reads videos from, does not import stats back (no package cycle).
 */
public interface VideoStats {

    /** Views of the video counted in Redis but not yet in MariaDB (0 when Redis cannot be reached). */
    long pendingViews(long videoId);

    /** The same for several videos, for each id that has any. */
    Map<Long, Long> pendingViews(Collection<Long> videoIds);

    /** Takes the video out of the hot ranking once the current transaction (if any) has committed. */
    void unrankAfterCommit(long videoId);

    /** Drops the video's pending views and ranking entry; 503 when Redis cannot be reached. */
    void forget(long videoId);
}
