package io.barrage.video.upload;

import io.barrage.platform.problem.ApiException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A user's unfinished resumable uploads are capped: each holds a video row, a part buffer on disk and an
 * S3 multipart upload until it finishes or expires. The count is a check before the creation, not a
 * lock, so concurrent creations can overshoot by at most their number.
 */
@Component
class OpenUploads {

    /** @param maxPerUser unfinished, unexpired resumable uploads one user may hold */
    @ConfigurationProperties("barrage.video.open-uploads")
    record Properties(@DefaultValue("5") int maxPerUser) {}

    private final JdbcTemplate jdbc;
    private final Properties properties;

    OpenUploads(JdbcTemplate jdbc, Properties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    /** 429 {@code too-many-open-uploads} when the user already holds the maximum. */
    void requireRoomFor(long ownerId) {
        Long open = jdbc.queryForObject(
                "SELECT COUNT(*) FROM video_upload WHERE owner_id = ? AND completed_at IS NULL AND expires_at > ?",
                Long.class,
                ownerId,
                Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
        if (open != null && open >= properties.maxPerUser()) {
            throw new ApiException(
                    HttpStatus.TOO_MANY_REQUESTS,
                    "too-many-open-uploads",
                    "You have " + open + " unfinished uploads; finish or cancel one (DELETE its upload URL) first.");
        }
    }
}
