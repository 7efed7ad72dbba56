package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.ingest.DanmakuDeleted;
import io.barrage.danmaku.ingest.DanmakuEvents;
import io.barrage.danmaku.ingest.SnowflakeIds;
import io.barrage.danmaku.uploader.Protections;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.problem.ApiException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Deleting danmaku: the tombstone is published first (so live viewers drop it and the persister records
 * it), then the row is tombstoned here too, so the sender's own next read no longer shows it.
 *
 * <p>A danmaku is acknowledged once Kafka has it and reaches MySQL a moment later, so a sender who deletes
 * right after sending can get here first. A delete of a recently minted id that has no row yet waits a
 * little for it, and if it still has not arrived answers 409 with Retry-After rather than 404: the danmaku
 * most likely exists, and a 404 would leave it on screen for everyone else. A made-up recent id gets the
 * same 409: the service cannot tell it apart, and bad input must get a 4xx, never a 5xx. An id
 * already tombstoned (deleted, or a voided attempt) is a 404 at once.
 */
@Component
public class DanmakuRemoval {

    static final int BATCH = 500;
    /** Ids minted this recently may belong to acknowledged danmaku still on their way to MySQL. */
    static final Duration IN_FLIGHT = Duration.ofMinutes(1);
    /** How long a delete waits for such a danmaku's row before asking the client to retry. */
    static final Duration STORE_WAIT = Duration.ofSeconds(3);
    /**
     * At most this many deletes wait at once, each holding a request thread; past it (made-up recent ids,
     * or a persister far behind) the answer is the 409 at once.
     */
    static final int MAX_WAITING = 32;

    private final DanmakuMapper mapper;
    private final DanmakuStore store;
    private final DanmakuEvents events;
    private final VideoDirectory videos;
    private final Semaphore waiting = new Semaphore(MAX_WAITING);
    private final Protections protections;

    DanmakuRemoval(
            DanmakuMapper mapper,
            DanmakuStore store,
            DanmakuEvents events,
            VideoDirectory videos,
            Protections protections) {
        this.mapper = mapper;
        this.store = store;
        this.events = events;
        this.videos = videos;
        this.protections = protections;
    }

    /**
     * By its sender or the video's owner; anyone else is told it does not exist (no probing of ids). The
     * owner may delete anything on their video; a sender may not remove a danmaku the owner protected (409
     * {@code danmaku-protected}).
     */
    void deleteAs(long userId, long danmakuId) {
        DanmakuRow row = stored(danmakuId);
        boolean owner = row != null
                && videos.find(row.getVideoId()).map(v -> v.ownerId() == userId).orElse(false);
        if (row == null || (row.getSenderId() != userId && !owner)) {
            throw notFound();
        }
        if (!owner && protections.isProtected(danmakuId)) {
            throw Protections.refused();
        }
        publishAndDelete(List.of(row));
    }

    /**
     * A stored danmaku, for the features that act on one (likes, reports, recall, uploader tools): 404
     * {@code danmaku-not-found} when there is none, 409 {@code danmaku-not-stored-yet} while one sent
     * moments ago is still on its way to MySQL.
     */
    public Danmaku find(long danmakuId) {
        DanmakuRow row = stored(danmakuId);
        if (row == null) {
            throw notFound();
        }
        return row.toDanmaku();
    }

    /** Removes a danmaku found by {@link #find}: every viewer's screen drops it through the tombstone. */
    public void remove(Danmaku danmaku) {
        publishAndDelete(List.of(DanmakuRow.tombstoneOf(danmaku)));
    }

    private static ApiException notFound() {
        return new ApiException(HttpStatus.NOT_FOUND, "danmaku-not-found", "No such danmaku.");
    }

    /** The row, waiting for it while its id is recent enough to be acknowledged but not yet persisted. */
    private DanmakuRow stored(long danmakuId) {
        DanmakuRow row = mapper.selectById(danmakuId);
        Instant minted = SnowflakeIds.mintedAt(danmakuId);
        Instant now = Instant.now();
        if (row != null
                || minted.isBefore(now.minus(IN_FLIGHT))
                || minted.isAfter(now.plusSeconds(1))
                || mapper.tombstoned(danmakuId)) {
            return row;
        }
        if (waiting.tryAcquire()) {
            try {
                long deadline = System.nanoTime() + STORE_WAIT.toNanos();
                while (row == null && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    row = mapper.selectById(danmakuId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting.release();
            }
        }
        if (row == null && !mapper.tombstoned(danmakuId)) {
            throw new ApiException(
                            HttpStatus.CONFLICT,
                            "danmaku-not-stored-yet",
                            "This danmaku was sent moments ago and is still being stored; try again shortly.")
                    .retryAfter(Duration.ofSeconds(2));
        }
        return row;
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
