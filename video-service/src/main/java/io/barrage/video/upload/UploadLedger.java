package io.barrage.video.upload;

import io.barrage.video.catalog.Video;
import io.barrage.video.storage.ObjectStore;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The tus uploads' own tables: {@code video_upload} (one row per upload: its length, the S3 multipart
 * upload, the parts recorded so far) and {@code video_upload_part} (each part's ETag). Plain SQL on
 * purpose: recording a part is compare-and-set ({@code WHERE parts = ?}), which reads more clearly than a
 * wrapper.
 */
@Component
class UploadLedger {

    record Session(
            String id,
            long videoId,
            long ownerId,
            long length,
            long flushedBytes,
            int parts,
            @Nullable String s3UploadId,
            @Nullable String contentType,
            LocalDateTime expiresAt,
            @Nullable LocalDateTime completedAt) {

        String key() {
            return Video.objectKeyFor(videoId);
        }
    }

    private final JdbcTemplate jdbc;

    UploadLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    Session open(String id, long videoId, long ownerId, long length, LocalDateTime expires, LocalDateTime now) {
        jdbc.update(
                "INSERT INTO video_upload (id, video_id, owner_id, upload_length, expires_at, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)",
                id,
                videoId,
                ownerId,
                length,
                Timestamp.valueOf(expires),
                Timestamp.valueOf(now));
        return new Session(id, videoId, ownerId, length, 0, 0, null, null, expires, null);
    }

    @Nullable
    Session find(String id) {
        List<Session> rows = jdbc.query(
                "SELECT id, video_id, owner_id, upload_length, flushed_bytes, parts, s3_upload_id, content_type,"
                        + " expires_at, completed_at FROM video_upload WHERE id = ?",
                (rs, n) -> new Session(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getInt(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getTimestamp(9).toLocalDateTime(),
                        rs.getTimestamp(10) == null ? null : rs.getTimestamp(10).toLocalDateTime()),
                id);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    void extend(String id, LocalDateTime expires) {
        jdbc.update("UPDATE video_upload SET expires_at = ? WHERE id = ?", Timestamp.valueOf(expires), id);
    }

    void recordContentType(String id, String contentType) {
        jdbc.update("UPDATE video_upload SET content_type = ? WHERE id = ?", contentType, id);
    }

    void recordMultipart(String id, String s3UploadId) {
        jdbc.update("UPDATE video_upload SET s3_upload_id = ? WHERE id = ?", s3UploadId, id);
    }

    /**
     * Records part {@code number}; false when the upload no longer stands at the part before it (another
     * request recorded it meanwhile). The caller runs this in a transaction with nothing else.
     */
    boolean recordPart(String id, int number, String etag, long length) {
        jdbc.update(
                "REPLACE INTO video_upload_part (upload_id, part_number, etag, size_bytes) VALUES (?, ?, ?, ?)",
                id,
                number,
                etag,
                length);
        return jdbc.update(
                        "UPDATE video_upload SET parts = ?, flushed_bytes = flushed_bytes + ? WHERE id = ? AND parts = ?",
                        number,
                        length,
                        id,
                        number - 1)
                == 1;
    }

    List<ObjectStore.PartTag> parts(String id) {
        return jdbc.query(
                "SELECT part_number, etag FROM video_upload_part WHERE upload_id = ? ORDER BY part_number",
                (rs, n) -> new ObjectStore.PartTag(rs.getInt(1), rs.getString(2)),
                id);
    }

    /** Every byte is in the object: the upload is complete and its parts are forgotten. */
    void completed(String id, LocalDateTime now) {
        jdbc.update("UPDATE video_upload SET completed_at = ? WHERE id = ?", Timestamp.valueOf(now), id);
        jdbc.update("DELETE FROM video_upload_part WHERE upload_id = ?", id);
    }

    void forget(String id) {
        jdbc.update("DELETE FROM video_upload_part WHERE upload_id = ?", id);
        jdbc.update("DELETE FROM video_upload WHERE id = ?", id);
    }

    /** Uploads that expired before {@code now}, oldest first, at most 1,000 (the cleanup's bound). */
    List<String> expired(LocalDateTime now) {
        return jdbc.queryForList(
                "SELECT id FROM video_upload WHERE expires_at < ? ORDER BY expires_at LIMIT 1000",
                String.class,
                Timestamp.valueOf(now));
    }
}
