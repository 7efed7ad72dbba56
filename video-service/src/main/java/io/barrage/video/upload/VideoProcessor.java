package io.barrage.video.upload;

import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.storage.ObjectStore;
import io.barrage.video.transcode.TranscodeJobs;
import io.barrage.video.transcode.TranscodeProperties;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The step between "the bytes are stored" and "clients may see it". With transcoding on (the default) the
 * video becomes PROCESSING and a job goes to {@code video.transcode-jobs}; a worker makes the ladder and
 * the video is READY once its first rung is published (see io.barrage.video.transcode). With transcoding
 * off, as before the ladder existed: ffprobe (or the MP4 boxes) describe the video and ffmpeg grabs a
 * thumbnail synchronously, and the upload answers READY. Either way the caps on what the MP4 boxes
 * declare (duration, frame size) are checked first, so a file declaring 136 years gets a 4xx at once.
 */
@Service
class VideoProcessor {

    private static final Logger log = LoggerFactory.getLogger(VideoProcessor.class);

    private final VideoMapper videos;
    private final ObjectStore store;
    private final MediaProbe probe;

    private final TranscodeProperties transcode;
    private final TranscodeJobs jobs;
    private final TransactionTemplate tx;

    VideoProcessor(
            VideoMapper videos,
            ObjectStore store,
            MediaProbe probe,
            TranscodeProperties transcode,
            TranscodeJobs jobs,
            TransactionTemplate tx) {
        this.videos = videos;
        this.store = store;
        this.probe = probe;
        this.transcode = transcode;
        this.jobs = jobs;
        this.tx = tx;
    }

    /** What the MP4 boxes declare, against the caps; an MP4 is refused before any tool reads it. */
    void checkDeclared(Mp4Info scanned) throws InvalidVideoException {
        if (scanned.durationMs() > transcode.maxDuration().toMillis()) {
            throw new InvalidVideoException(
                    "duration-too-long",
                    "it declares a duration above the limit of "
                            + transcode.maxDuration().toMinutes() + " minutes");
        }
        if (scanned.width() != null
                && scanned.height() != null
                && (scanned.width() > transcode.maxWidth() || scanned.height() > transcode.maxHeight())) {
            throw new InvalidVideoException(
                    "resolution-too-large",
                    "it declares a " + scanned.width() + "×" + scanned.height() + " frame, above the limit of "
                            + transcode.maxWidth() + "×" + transcode.maxHeight());
        }
    }

    /**
     * Takes an UPLOADING row whose object (with {@code etag}) is stored to READY. {@code scanned} is what
     * the MP4 boxes said; ffprobe's answer wins field by field where it has one.
     */
    void process(Video video, String etag, Mp4Info scanned) throws InvalidVideoException {
        checkDeclared(scanned);
        video.setObjectKey(Video.objectKeyFor(video.getId()));
        video.setEtag(etag);
        if (transcode.enabled()) {
            // what the boxes say until the worker has decoded the source
            video.setDurationMs(scanned.durationMs());
            video.setWidth(scanned.width());
            video.setHeight(scanned.height());
            video.setLadderState("PROCESSING");
            tx.executeWithoutResult(status -> {
                transition(video, VideoStatus.PROCESSING);
                jobs.enqueue(video.getId());
            });
            jobs.publish(video.getId(), video.getObjectKey());
            return;
        }
        transition(video, VideoStatus.PROCESSING);

        Optional<MediaProbe.Probe> probed = probe.probe(video.getObjectKey());
        long durationMs = probed.map(MediaProbe.Probe::durationMs).orElse(null) != null
                ? probed.get().durationMs()
                : scanned.durationMs();
        boolean probedSize = probed.isPresent() && probed.get().width() != null;
        video.setDurationMs(durationMs);
        video.setWidth(probedSize ? probed.get().width() : scanned.width());
        video.setHeight(probedSize ? probed.get().height() : scanned.height());

        probe.thumbnail(video.getObjectKey(), durationMs).ifPresent(jpeg -> {
            try {
                store.put(ObjectStore.thumbnailKeyFor(video.getId()), jpeg, "image/jpeg");
            } catch (RuntimeException e) {
                // a missing thumbnail only means the placeholder; not a reason to fail the video
                log.warn("could not store the thumbnail of video {}", video.getId(), e);
            }
        });
        transition(video, VideoStatus.READY);
    }

    /** The bytes are not a video after all (the MP4 boxes do not hold together, or break a cap). */
    void fail(Video video, String reason, String message) {
        video.setObjectKey(null);
        video.setFailureReason(reason);
        video.setFailureMessage(message);
        transition(video, VideoStatus.FAILED);
    }

    private void transition(Video video, VideoStatus status) {
        video.setStatus(status);
        video.setUpdatedAt(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
        if (videos.updateById(video) != 1) {
            throw new IllegalStateException("video " + video.getId() + " changed while it was processed");
        }
    }
}
