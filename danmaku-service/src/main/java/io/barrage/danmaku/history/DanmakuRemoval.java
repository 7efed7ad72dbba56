package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.DanmakuDeleted;
import io.barrage.danmaku.ingest.DanmakuEvents;
import io.barrage.danmaku.video.VideoCatalog;
import io.barrage.danmaku.web.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Deleting danmaku: the tombstone is published first (so live viewers drop it and the persister records
 * it), then the row is tombstoned here too, so the sender's own next read no longer shows it.
 */
@Component
class DanmakuRemoval {

    static final int BATCH = 500;

    private final DanmakuMapper mapper;
    private final DanmakuStore store;
    private final DanmakuEvents events;
    private final VideoCatalog videos;

    DanmakuRemoval(DanmakuMapper mapper, DanmakuStore store, DanmakuEvents events, VideoCatalog videos) {
        this.mapper = mapper;
        this.store = store;
        this.events = events;
        this.videos = videos;
    }

    /** By its sender or the video's owner; anyone else is told it does not exist (no probing of ids). */
    void deleteAs(long userId, long danmakuId) {
        DanmakuRow row = mapper.selectById(danmakuId);
        if (row == null
                || (row.getSenderId() != userId
                        && videos.find(row.getVideoId())
                                .map(v -> v.ownerId() != userId)
                                .orElse(true))) {
            throw new ApiException(HttpStatus.NOT_FOUND, "danmaku-not-found", "No such danmaku.");
        }
        publishAndDelete(List.of(row));
    }

    /** Every danmaku of a user (a ban), in batches; returns how many were deleted. */
    long deleteBySender(long senderId) {
        long total = 0;
        while (true) {
            List<DanmakuRow> batch = mapper.bySender(senderId, 0, BATCH);
            if (batch.isEmpty()) {
                return total;
            }
            publishAndDelete(batch);
            total += batch.size();
        }
    }

    /**
     * Up to {@code limit} danmaku of a purged video, without tombstone events (nobody can watch it any
     * more); the scheduler calls again until nothing is left, and the video's sequencer row goes last.
     */
    int purgeVideo(long videoId, int limit) {
        List<DanmakuRow> batch = mapper.firstOfVideo(videoId, limit);
        store.delete(batch);
        if (batch.size() < limit) {
            mapper.forgetSequence(videoId);
        }
        return batch.size();
    }

    private void publishAndDelete(List<DanmakuRow> rows) {
        events.publishAll(rows.stream()
                .map(row -> new DanmakuEvents.Keyed(
                        row.getVideoId(), DanmakuDeleted.of(row.getId(), row.getVideoId(), row.getSeq())))
                .toList());
        store.delete(rows);
    }
}
