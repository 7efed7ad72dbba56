package io.barrage.video.transcode;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operators' view of the transcode jobs (service credential, as all of /internal). */
@RestController
@RequestMapping("/internal/v1/transcode-jobs")
class TranscodeJobController {

    private static final List<String> STATUSES = List.of("QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED");

    private final TranscodeJobs jobs;
    private final VideoMapper videos;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    TranscodeJobController(TranscodeJobs jobs, VideoMapper videos, JdbcTemplate jdbc, TransactionTemplate tx) {
        this.jobs = jobs;
        this.videos = videos;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @GetMapping
    List<TranscodeJobs.JobView> list(
            @RequestParam(defaultValue = "FAILED") String status, @RequestParam(defaultValue = "100") int limit) {
        if (!STATUSES.contains(status) || limit < 1 || limit > 1000) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "status is one of " + STATUSES + " and limit between 1 and 1000.");
        }
        return jobs.list(status, limit);
    }

    /**
     * A FAILED job starts over (attempts from 0). Only while the original is still there: a video that
     * failed as not-a-video lost its original, and gets 409.
     */
    @PostMapping("/{videoId}/retry")
    TranscodeJobs.JobView retry(@PathVariable long videoId) {
        Video video = videos.selectById(videoId);
        Integer failed = jdbc.queryForObject(
                "SELECT COUNT(*) FROM transcode_job WHERE video_id = ? AND status = 'FAILED'", Integer.class, videoId);
        if (video == null || failed == null || failed == 0) {
            throw new ApiException(
                    HttpStatus.NOT_FOUND,
                    "job-not-found",
                    "There is no failed transcode job for video " + videoId + ".");
        }
        if (video.getObjectKey() == null || video.getStatus() == VideoStatus.DELETED) {
            throw new ApiException(
                    HttpStatus.CONFLICT,
                    "original-gone",
                    "Video " + videoId + " has no original left to transcode (deleted, or not a video).");
        }
        tx.executeWithoutResult(status -> {
            jobs.enqueue(videoId);
            jdbc.update(
                    "UPDATE video_rendition SET state = 'QUEUED', percent = 0 WHERE video_id = ? AND state <> 'DONE'",
                    videoId);
            video.setLadderState("PROCESSING");
            if (video.getStatus() == VideoStatus.FAILED) {
                video.setStatus(VideoStatus.PROCESSING);
            }
            video.setFailureReason(null);
            video.setFailureMessage(null);
            video.setUpdatedAt(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
            if (videos.updateById(video) != 1) {
                throw new ApiException(
                        HttpStatus.CONFLICT, "concurrent-modification", "The video changed meanwhile; try again.");
            }
        });
        jobs.publish(videoId, video.getObjectKey());
        return jobs.list("QUEUED", 1000).stream()
                .filter(j -> j.videoId() == videoId)
                .findFirst()
                .orElseThrow();
    }
}
