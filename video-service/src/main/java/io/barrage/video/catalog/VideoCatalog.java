package io.barrage.video.catalog;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import io.barrage.platform.problem.ApiException;
import io.barrage.video.web.VideoProblems;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads and state changes of catalogued videos. */
@Service
public class VideoCatalog {

    private final VideoMapper videos;
    private final VideoEvents events;
    private final VideoCache cache;
    private final VideoStats stats;
    private final Clock clock;

    private final Renditions renditions;
    private final JdbcTemplate jdbc;

    VideoCatalog(
            VideoMapper videos,
            VideoEvents events,
            VideoCache cache,
            VideoStats stats,
            Renditions renditions,
            JdbcTemplate jdbc) {
        this.videos = videos;
        this.events = events;
        this.cache = cache;
        this.stats = stats;
        this.renditions = renditions;
        this.jdbc = jdbc;
        this.clock = Clock.systemUTC();
    }

    /** A READY video, or 404; anything else (uploading, failed, deleted) is invisible to clients. */
    public Video readyVideo(long id) {
        return cache.find(id)
                .filter(video -> video.getStatus() == VideoStatus.READY)
                .orElseThrow(() -> VideoProblems.videoNotFound(id));
    }

    /** A READY video as clients see it (views include those not yet flushed) and its version, or 404. */
    public VersionedView publicView(long id) {
        return view(id, null);
    }

    /**
     * A READY video, or the caller's own PROCESSING or FAILED one (so the owner sees the progress and the
     * reason), with the ladder's progress while rungs are still being made; anything else is 404.
     */
    public VersionedView view(long id, Long callerId) {
        Video video = cache.find(id).orElse(null);
        boolean visible = video != null
                && (video.getStatus() == VideoStatus.READY
                        || (callerId != null
                                && video.getOwnerId() == callerId.longValue()
                                && (video.getStatus() == VideoStatus.PROCESSING
                                        || video.getStatus() == VideoStatus.FAILED)));
        if (!visible) {
            throw VideoProblems.videoNotFound(id);
        }
        VideoView view = VideoView.of(video, stats.pendingViews(id));
        if ("PROCESSING".equals(video.getLadderState())) {
            view = view.withProcessing(renditions.processing(id));
        }
        return new VersionedView(view, video.getVersion());
    }

    public record VersionedView(VideoView view, int version) {}

    /**
     * Soft delete. The event is published inside the transaction: if Kafka does not take it, the row
     * stays READY and the caller gets 503, so there is never a deleted video nobody will purge.
     */
    @Transactional
    public void delete(long id, long callerId) {
        Video video = ownedReady(id, callerId);
        LocalDateTime now = now();
        video.setStatus(VideoStatus.DELETED);
        video.setDeletedAt(now);
        video.setUpdatedAt(now);
        updateOrConflict(video);
        // a deleted video leaves the hot ranking; a restored one earns its place again
        stats.unrankAfterCommit(id);
        // a running transcode sees this at its next lease renewal and kills its ffmpeg
        jdbc.update(
                "UPDATE transcode_job SET status = 'CANCELLED', updated_at = UTC_TIMESTAMP(3)"
                        + " WHERE video_id = ? AND status IN ('QUEUED', 'RUNNING')",
                id);
        events.publish(
                id,
                new VideoEvents.VideoDeleted(
                        id,
                        video.getOwnerId(),
                        // a failed video lost its original; the purge still sweeps its folder
                        video.getObjectKey() == null ? Video.objectKeyFor(id) : video.getObjectKey(),
                        now.toInstant(ZoneOffset.UTC)));
    }

    @Transactional
    public VideoView restore(long id, long callerId) {
        Video video = videos.selectById(id);
        if (video == null || video.getOwnerId() != callerId) {
            throw VideoProblems.videoNotFound(id);
        }
        if (video.getStatus() != VideoStatus.DELETED) {
            throw new ApiException(HttpStatus.CONFLICT, "video-not-deleted", "Video " + id + " is not deleted.");
        }
        LocalDateTime now = now();
        // a ladder cancelled by the delete is made again (the sweep of the workers picks the job up)
        boolean requeued = jdbc.update(
                        "UPDATE transcode_job SET status = 'QUEUED', attempts = 0, lease_owner = NULL,"
                                + " lease_until = NULL, next_attempt_at = UTC_TIMESTAMP(3),"
                                + " updated_at = UTC_TIMESTAMP(3) WHERE video_id = ? AND status = 'CANCELLED'",
                        id)
                == 1;
        boolean playable =
                video.getLadderState() == null || renditions.of(id).stream().anyMatch(Renditions.Rendition::done);
        video.setStatus(playable ? VideoStatus.READY : VideoStatus.PROCESSING);
        if (requeued) {
            video.setLadderState("PROCESSING");
        }
        video.setDeletedAt(null);
        video.setUpdatedAt(now);
        updateOrConflict(video);
        events.publish(id, new VideoEvents.VideoRestored(id, video.getOwnerId(), now.toInstant(ZoneOffset.UTC)));
        return VideoView.of(video);
    }

    InternalVideoView internal(long id) {
        Video video = cache.find(id).orElseThrow(() -> VideoProblems.videoNotFound(id));
        return new InternalVideoView(
                id, video.getOwnerId(), video.getDurationMs() == null ? 0 : video.getDurationMs(), video.getStatus());
    }

    /**
     * Removes the row of a soft-deleted video; idempotent, refuses live ones. Its Redis keys (cached row,
     * pending views, ranking entry) go first and the row last, so a purge that fails half-way is retried.
     */
    @Transactional
    void purge(long id) {
        Video video = videos.selectById(id);
        if (video == null) {
            try {
                cache.forget(id);
                stats.forget(id);
            } catch (ApiException e) {
                // the row is gone already: what Redis still holds expires or is pruned on its own
            }
            return;
        }
        if (video.getStatus() != VideoStatus.DELETED) {
            throw new ApiException(
                    HttpStatus.CONFLICT, "video-not-deleted", "Video " + id + " is not deleted; it cannot be purged.");
        }
        cache.forget(id);
        stats.forget(id);
        // the status in the WHERE keeps a concurrent restore from being purged
        videos.delete(new QueryWrapper<Video>().eq("id", id).eq("status", VideoStatus.DELETED.name()));
    }

    private Video ownedReady(long id, long callerId) {
        Video video = videos.selectById(id);
        // someone else's video answers exactly like a missing one, so ids cannot be probed
        // a video still being transcoded (or failed) can be deleted by its owner too
        if (video == null
                || video.getOwnerId() != callerId
                || !(video.getStatus() == VideoStatus.READY
                        || video.getStatus() == VideoStatus.PROCESSING
                        || video.getStatus() == VideoStatus.FAILED)) {
            throw VideoProblems.videoNotFound(id);
        }
        return video;
    }

    private void updateOrConflict(Video video) {
        if (videos.updateById(video) != 1) {
            throw new ApiException(
                    HttpStatus.CONFLICT, "concurrent-modification", "The video changed meanwhile; try again.");
        }
    }

    private LocalDateTime now() {
        // millisecond precision, as stored in DATETIME(3)
        return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MILLIS);
    }
}
