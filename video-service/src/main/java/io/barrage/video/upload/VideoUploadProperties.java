package io.barrage.video.upload;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code barrage.video.*} for uploads and processing. The multipart limit is enforced by the multipart
 * parser ({@code spring.servlet.multipart.max-file-size} is set from it), before a byte reaches the bucket;
 * resumable uploads check the declared {@code Upload-Length} against the same limit.
 *
 * @param ffprobePath the ffprobe binary (a name looked up on the PATH, or a path); if it cannot be started,
 *     duration and size come from the MP4 boxes instead
 * @param ffmpegPath the ffmpeg binary for thumbnails; if it cannot be started, clients get a placeholder
 * @param probeTimeout how long ffprobe or ffmpeg may run before it is killed
 * @param uploadPartSize the S3 part size of resumable uploads (S3 wants at least 5 MiB but for the last)
 * @param uploadBufferDir where the bytes of a part are collected before they go to S3
 * @param uploadTtl an unfinished resumable upload untouched this long is aborted by the cleanup job
 */
@ConfigurationProperties("barrage.video")
public record VideoUploadProperties(
        @DefaultValue("512MB") DataSize maxUploadSize,
        @DefaultValue("32MB") DataSize maxMetadataSize,
        @DefaultValue("ffprobe") String ffprobePath,
        @DefaultValue("ffmpeg") String ffmpegPath,
        @DefaultValue("30s") Duration probeTimeout,
        @DefaultValue("8MB") DataSize uploadPartSize,
        Path uploadBufferDir,
        @DefaultValue("24h") Duration uploadTtl) {

    static final long MIN_PART_SIZE = 5L * 1024 * 1024;

    public VideoUploadProperties {
        if (uploadPartSize.toBytes() < MIN_PART_SIZE) {
            throw new IllegalArgumentException("barrage.video.upload-part-size must be at least 5MB (an S3 rule)");
        }
        if (uploadBufferDir == null) {
            uploadBufferDir = Path.of(System.getProperty("java.io.tmpdir"), "barrage-uploads");
        }
    }
}
