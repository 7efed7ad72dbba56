package io.barrage.video.upload;

import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.storage.ObjectStore;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The step between "the bytes are stored" and "clients may see it": PROCESSING while ffprobe (or the MP4
 * boxes) describe the video and ffmpeg grabs a thumbnail, then READY. It runs synchronously at the end of
 * the upload request, so the answer to the upload already says READY (the web UI and the multipart API
 * relied on that); both tools are bounded by {@code barrage.video.probe-timeout}.
 */
@Service
class VideoProcessor {

    private static final Logger log = LoggerFactory.getLogger(VideoProcessor.class);

    private final VideoMapper videos;
    private final ObjectStore store;
    private final MediaProbe probe;

    VideoProcessor(VideoMapper videos, ObjectStore store, MediaProbe probe) {
        this.videos = videos;
        this.store = store;
        this.probe = probe;
    }

    /**
     * Takes an UPLOADING row whose object (with {@code etag}) is stored to READY. {@code scanned} is what
     * the MP4 boxes said; ffprobe's answer wins field by field where it has one.
     */
    void process(Video video, String etag, Mp4Info scanned) {
        video.setObjectKey(Video.objectKeyFor(video.getId()));
        video.setEtag(etag);
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

    /** The bytes are not a video after all (the MP4 boxes do not hold together). */
    void fail(Video video) {
        video.setObjectKey(null);
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
