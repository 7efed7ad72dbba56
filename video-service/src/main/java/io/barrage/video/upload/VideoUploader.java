package io.barrage.video.upload;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.catalog.VideoView;
import io.barrage.video.storage.ObjectStore;
import io.barrage.video.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.multipart.MultipartFile;

/**
 * Takes an upload from the multipart part (already on disk) to a READY row: the row is created
 * UPLOADING first so the object key can carry the server-made id, and on any failure both the object
 * and the row are removed, so a half-written video is never visible.
 */
@Service
class VideoUploader {

    private static final Logger log = LoggerFactory.getLogger(VideoUploader.class);

    private final VideoMapper videos;
    private final ObjectStore store;
    private final VideoProcessor processor;
    private final int maxMetadataBytes;

    VideoUploader(VideoMapper videos, ObjectStore store, VideoProcessor processor, VideoUploadProperties properties) {
        this.videos = videos;
        this.store = store;
        this.processor = processor;
        this.maxMetadataBytes = (int)
                Math.min(Integer.MAX_VALUE - 8, properties.maxMetadataSize().toBytes());
    }

    VideoView upload(long ownerId, String title, String description, MultipartFile file) {
        ContainerFormat format = sniff(file);
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
        Video video = new Video();
        video.setOwnerId(ownerId);
        video.setTitle(title);
        video.setDescription(description);
        video.setDurationMs(0L);
        video.setSizeBytes(file.getSize());
        video.setContentType(format.contentType());
        video.setStatus(VideoStatus.UPLOADING);
        video.setVersion(0);
        video.setCreatedAt(now);
        video.setUpdatedAt(now);
        videos.insert(video);
        String key = Video.objectKeyFor(video.getId());
        try {
            Mp4BoxScanner scanner = format.isoBmff() ? new Mp4BoxScanner(maxMetadataBytes) : null;
            String etag;
            try (InputStream part = file.getInputStream();
                    InputStream in = scanner == null ? part : new ScanningInputStream(part, scanner)) {
                etag = store.put(key, in, file.getSize(), format.contentType());
            }
            // WebM/Matroska: no EBML parser here; ffprobe describes them where it is installed
            Mp4Info info = scanner == null ? Mp4Info.UNKNOWN : scanner.finish();
            processor.process(video, etag, info);
            VideoView view = VideoView.of(video);
            // the job is queued: the owner sees its progress (0 %, no rung planned yet) from the first
            // answer on, as a GET shows it, instead of a null that reads as "nothing left to do"
            return "PROCESSING".equals(video.getLadderState())
                    ? view.withProcessing(new VideoView.Processing(0, java.util.List.of()))
                    : view;
        } catch (InvalidVideoException e) {
            discard(video.getId(), key);
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, e.code(), "The file is not a readable video: " + e.getMessage());
        } catch (StorageException | IOException e) {
            discard(video.getId(), key);
            log.error("upload of video {} failed", video.getId(), e);
            var problem = new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE, "storage-unavailable", "The video could not be stored; try again.");
            problem.initCause(e);
            throw problem;
        } catch (RuntimeException e) {
            discard(video.getId(), key);
            throw e;
        }
    }

    private ContainerFormat sniff(MultipartFile file) {
        byte[] head = new byte[ContainerFormat.SNIFF_LENGTH];
        int length;
        try (InputStream in = file.getInputStream()) {
            length = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "The uploaded file could not be read.");
        }
        return ContainerFormat.sniff(head, length)
                .orElseThrow(() -> new ApiException(
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        "unsupported-media-type",
                        "Only MP4, MOV, WebM and Matroska videos are accepted."));
    }

    private void discard(long id, String key) {
        store.removeQuietly(key);
        store.removeQuietly(ObjectStore.thumbnailKeyFor(id));
        try {
            videos.deleteById(id);
        } catch (RuntimeException e) {
            // the row stays UPLOADING, which no client can see
            log.warn("could not remove the row of failed upload {}", id, e);
        }
    }
}
