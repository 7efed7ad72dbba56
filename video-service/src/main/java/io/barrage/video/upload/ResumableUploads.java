package io.barrage.video.upload;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoCache;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * tus uploads on S3 multipart uploads. Bytes arrive in PATCH requests of any size; they are appended to a
 * local buffer file for the part being collected, and each time the buffer holds a full part
 * ({@code barrage.video.upload-part-size}, at least S3's 5 MiB) it goes to S3 as the next part and the
 * database records its ETag. The offset a client may resume from is the bytes of the recorded parts plus
 * the buffer; the heap only ever holds one 64 KiB copy buffer per request.
 *
 * <p>The buffer is local to the instance, so with several replicas the gateway must route an upload's
 * requests to one instance (hash of the path); an upload that lands elsewhere resumes from the last
 * recorded part, which tus allows (the server may report a smaller offset). The buffer file is named
 * after the part number, so a crash between recording a part and deleting its buffer cannot count those
 * bytes twice.
 *
 * <p>The database rows are written with plain SQL on purpose: the part bookkeeping is compare-and-set
 * ({@code WHERE parts = ?}), which reads more clearly than a wrapper.
 */
@Service
class ResumableUploads {

    private static final Logger log = LoggerFactory.getLogger(ResumableUploads.class);
    private static final int COPY_BUFFER = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    record Session(
            String id,
            long videoId,
            long ownerId,
            long length,
            long flushedBytes,
            int parts,
            String s3UploadId,
            String contentType,
            LocalDateTime expiresAt,
            LocalDateTime completedAt) {

        String key() {
            return Video.objectKeyFor(videoId);
        }
    }

    /** Where an upload stands after a PATCH. */
    record Progress(long offset, LocalDateTime expiresAt, VideoStatus status) {}

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final VideoMapper videos;
    private final ObjectStore store;
    private final VideoProcessor processor;
    private final VideoUploadProperties properties;
    private final VideoCache cache;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    ResumableUploads(
            JdbcTemplate jdbc,
            TransactionTemplate tx,
            VideoMapper videos,
            ObjectStore store,
            VideoProcessor processor,
            VideoUploadProperties properties,
            VideoCache cache) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.tx = tx;
        this.videos = videos;
        this.store = store;
        this.processor = processor;
        this.properties = properties;
    }

    long maxSize() {
        return properties.maxUploadSize().toBytes();
    }

    /** Creates the UPLOADING video row (the server makes its id) and the upload that will fill it. */
    Session create(long ownerId, long length, String title, String description) {
        if (length > maxSize()) {
            throw new ApiException(
                    HttpStatus.PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Upload-Length is above the limit of " + maxSize() + " bytes.");
        }
        LocalDateTime now = now();
        String id = HexFormat.of().formatHex(randomBytes());
        return tx.execute(status -> {
            Video video = new Video();
            video.setOwnerId(ownerId);
            video.setTitle(title);
            video.setDescription(description);
            video.setDurationMs(0L);
            video.setSizeBytes(length);
            // the real type is known once the first bytes arrive
            video.setContentType("application/octet-stream");
            video.setStatus(VideoStatus.UPLOADING);
            video.setVersion(0);
            video.setCreatedAt(now);
            video.setUpdatedAt(now);
            videos.insert(video);
            LocalDateTime expires = now.plus(properties.uploadTtl());
            jdbc.update(
                    "INSERT INTO video_upload (id, video_id, owner_id, upload_length, expires_at, created_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    id,
                    video.getId(),
                    ownerId,
                    length,
                    Timestamp.valueOf(expires),
                    Timestamp.valueOf(now));
            return new Session(id, video.getId(), ownerId, length, 0, 0, null, null, expires, null);
        });
    }

    /** The caller's upload, or 404 (someone else's answers exactly like a missing one). */
    Session find(String id, long ownerId) {
        Session session = ID.matcher(id).matches() ? load(id) : null;
        if (session == null || session.ownerId() != ownerId) {
            throw notFound(id);
        }
        return session;
    }

    long offset(Session session) {
        if (session.completedAt() != null) {
            return session.length();
        }
        Path buffer = bufferFile(session.id(), session.parts() + 1);
        try {
            return session.flushedBytes() + (Files.exists(buffer) ? Files.size(buffer) : 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    VideoStatus videoStatus(Session session) {
        Video video = videos.selectById(session.videoId());
        return video == null ? VideoStatus.FAILED : video.getStatus();
    }

    /**
     * Appends the body at {@code clientOffset}. A body cut short (the connection dropped) keeps what
     * arrived; the client asks HEAD for the offset and carries on from there.
     */
    Progress append(String id, long ownerId, long clientOffset, long contentLength, InputStream body) {
        find(id, ownerId); // before taking a lock entry, so unknown ids leave nothing behind
        ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
        if (!lock.tryLock()) {
            throw new ApiException(
                    HttpStatus.CONFLICT, "upload-locked", "Another request is writing to this upload; retry.");
        }
        try {
            Session session = find(id, ownerId);
            long offset = offset(session);
            if (clientOffset != offset) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        "upload-offset-mismatch",
                        "Upload-Offset is " + clientOffset + " but the upload is at " + offset + ".");
            }
            if (session.completedAt() != null) {
                return new Progress(offset, session.expiresAt(), videoStatus(session));
            }
            if (contentLength > 0 && offset + contentLength > session.length()) {
                throw new ApiException(
                        HttpStatus.PAYLOAD_TOO_LARGE,
                        "upload-length-exceeded",
                        "The body would go past Upload-Length " + session.length() + ".");
            }
            long received = receive(session, offset, body);
            LocalDateTime expires = now().plus(properties.uploadTtl());
            jdbc.update("UPDATE video_upload SET expires_at = ? WHERE id = ?", Timestamp.valueOf(expires), id);
            if (received < session.length()) {
                return new Progress(received, expires, VideoStatus.UPLOADING);
            }
            VideoStatus status = complete(load(id));
            return new Progress(received, expires, status);
        } finally {
            lock.unlock();
        }
    }

    /** Copies the body into the part buffers, sending every full part to S3; returns the new offset. */
    private long receive(Session start, long offset, InputStream body) {
        Session session = start;
        long received = offset;
        byte[] chunk = new byte[COPY_BUFFER];
        long partSize = properties.uploadPartSize().toBytes();
        try {
            Files.createDirectories(properties.uploadBufferDir());
            RandomAccessFile buffer = openBuffer(session);
            try {
                while (received < session.length()) {
                    long room = partSize - buffer.length();
                    if (room == 0) {
                        buffer = flushPart(session, buffer);
                        session = load(session.id());
                        continue;
                    }
                    int want = (int) Math.min(Math.min(chunk.length, room), session.length() - received);
                    int n;
                    try {
                        n = body.read(chunk, 0, want);
                    } catch (IOException dropped) {
                        log.debug("upload {} dropped at {}: {}", session.id(), received, dropped.toString());
                        break;
                    }
                    if (n < 0) {
                        break;
                    }
                    buffer.write(chunk, 0, n);
                    received += n;
                    if (session.contentType() == null
                            && received >= Math.min(ContainerFormat.SNIFF_LENGTH, session.length())) {
                        session = sniff(session, buffer);
                    }
                }
            } finally {
                buffer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not buffer upload " + start.id(), e);
        }
        return received;
    }

    /** 415 as soon as the first bytes show it is not a video; the upload is gone then. */
    private Session sniff(Session session, RandomAccessFile buffer) throws IOException {
        // parts are at least 5 MiB, so the first bytes are still in the first part's buffer
        byte[] head = new byte[ContainerFormat.SNIFF_LENGTH];
        buffer.seek(0);
        int length = buffer.read(head, 0, (int) Math.min(head.length, buffer.length()));
        buffer.seek(buffer.length());
        var format = ContainerFormat.sniff(head, Math.max(length, 0));
        if (format.isEmpty()) {
            buffer.close();
            terminate(session);
            throw new ApiException(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "Only MP4, MOV, WebM and Matroska videos are accepted.");
        }
        String contentType = format.get().contentType();
        tx.executeWithoutResult(status -> {
            jdbc.update("UPDATE video_upload SET content_type = ? WHERE id = ?", contentType, session.id());
            jdbc.update("UPDATE video SET content_type = ? WHERE id = ?", contentType, session.videoId());
            // a write that bypasses VideoMapper must drop the cached row itself
            cache.evictAfterCommit(session.videoId());
        });
        return load(session.id());
    }

    /** Sends the buffer as the next part, records it, and returns a fresh buffer for the part after it. */
    private RandomAccessFile flushPart(Session session, RandomAccessFile buffer) throws IOException {
        int number = session.parts() + 1;
        long length = buffer.length();
        String uploadId = session.s3UploadId();
        if (uploadId == null) {
            uploadId = store.createMultipart(session.key(), session.contentType());
            jdbc.update("UPDATE video_upload SET s3_upload_id = ? WHERE id = ?", uploadId, session.id());
        }
        buffer.seek(0);
        String etag = store.uploadPart(session.key(), uploadId, number, buffer, length);
        buffer.close();
        Boolean recorded = tx.execute(status -> {
            jdbc.update(
                    "REPLACE INTO video_upload_part (upload_id, part_number, etag, size_bytes) VALUES (?, ?, ?, ?)",
                    session.id(),
                    number,
                    etag,
                    length);
            return jdbc.update(
                            "UPDATE video_upload SET parts = ?, flushed_bytes = flushed_bytes + ? WHERE id = ? AND parts = ?",
                            number,
                            length,
                            session.id(),
                            number - 1)
                    == 1;
        });
        if (!Boolean.TRUE.equals(recorded)) {
            throw new ApiException(HttpStatus.CONFLICT, "upload-locked", "The upload changed meanwhile; retry.");
        }
        Files.deleteIfExists(bufferFile(session.id(), number));
        return new RandomAccessFile(bufferFile(session.id(), number + 1).toFile(), "rw");
    }

    /** Every byte is there: the last part, the object, then PROCESSING to READY (or FAILED). */
    private VideoStatus complete(Session session) throws ApiException {
        try {
            Path last = bufferFile(session.id(), session.parts() + 1);
            if (Files.exists(last) && Files.size(last) > 0) {
                try (RandomAccessFile buffer = new RandomAccessFile(last.toFile(), "rw")) {
                    flushPart(session, buffer).close();
                }
                Files.deleteIfExists(bufferFile(session.id(), session.parts() + 2));
                session = load(session.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ObjectStore.PartTag> parts = jdbc.query(
                "SELECT part_number, etag FROM video_upload_part WHERE upload_id = ? ORDER BY part_number",
                (rs, n) -> new ObjectStore.PartTag(rs.getInt(1), rs.getString(2)),
                session.id());
        String etag = store.completeMultipart(session.key(), session.s3UploadId(), parts);
        jdbc.update("UPDATE video_upload SET completed_at = ? WHERE id = ?", Timestamp.valueOf(now()), session.id());
        jdbc.update("DELETE FROM video_upload_part WHERE upload_id = ?", session.id());
        locks.remove(session.id());

        Video video = videos.selectById(session.videoId());
        ContainerFormat format = ContainerFormat.fromContentType(session.contentType());
        try {
            Mp4Info info = format.isoBmff()
                    ? Mp4ObjectScanner.scan(store, session.key(), session.length(), maxMetadataBytes())
                    : Mp4Info.UNKNOWN;
            processor.process(video, etag, info);
        } catch (InvalidVideoException e) {
            log.info("upload {} (video {}) is not a readable video: {}", session.id(), video.getId(), e.getMessage());
            store.removeQuietly(session.key());
            processor.fail(video, e.code(), "The file is not a readable video: " + e.getMessage());
        } catch (RuntimeException e) {
            // never an UPLOADING row or an orphan object: whatever broke, the video ends FAILED and empty
            log.warn("upload {} (video {}) could not be processed", session.id(), video.getId(), e);
            store.removeQuietly(session.key());
            processor.fail(video, "transcode-failed", "The video could not be processed.");
        }
        return video.getStatus();
    }

    /** Aborts an upload and removes everything it left: parts, buffer, rows. */
    void terminate(Session session) {
        if (session.completedAt() == null && session.s3UploadId() != null) {
            store.abortMultipartQuietly(session.key(), session.s3UploadId());
        }
        for (int part = 1; part <= session.parts() + 1; part++) {
            try {
                Files.deleteIfExists(bufferFile(session.id(), part));
            } catch (IOException e) {
                log.warn("could not delete a buffer of upload {}", session.id(), e);
            }
        }
        tx.executeWithoutResult(status -> {
            jdbc.update("DELETE FROM video_upload_part WHERE upload_id = ?", session.id());
            jdbc.update("DELETE FROM video_upload WHERE id = ?", session.id());
            if (session.completedAt() == null) {
                // only a row nobody could see yet; a finished upload's video lives on
                jdbc.update(
                        "DELETE FROM video WHERE id = ? AND status = ?",
                        session.videoId(),
                        VideoStatus.UPLOADING.name());
                cache.evictAfterCommit(session.videoId());
            }
        });
        locks.remove(session.id());
    }

    /** Aborts uploads untouched for the TTL and forgets finished ones as old; returns how many. */
    int cleanup() {
        List<String> expired = jdbc.queryForList(
                "SELECT id FROM video_upload WHERE expires_at < ? ORDER BY expires_at LIMIT 1000",
                String.class,
                Timestamp.valueOf(now()));
        int removed = 0;
        for (String id : expired) {
            ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
            if (!lock.tryLock()) {
                continue; // being written right now, so not abandoned
            }
            try {
                Session session = load(id);
                if (session != null) {
                    terminate(session);
                    removed++;
                }
            } finally {
                lock.unlock();
            }
        }
        return removed;
    }

    private Session load(String id) {
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

    private RandomAccessFile openBuffer(Session session) throws IOException {
        RandomAccessFile file = new RandomAccessFile(
                bufferFile(session.id(), session.parts() + 1).toFile(), "rw");
        file.seek(file.length());
        return file;
    }

    private Path bufferFile(String id, int part) {
        return properties.uploadBufferDir().resolve(id + "." + part);
    }

    private int maxMetadataBytes() {
        return (int)
                Math.min(Integer.MAX_VALUE - 8, properties.maxMetadataSize().toBytes());
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    static ApiException notFound(String id) {
        return new ApiException(HttpStatus.NOT_FOUND, "upload-not-found", "There is no upload " + id + ".");
    }

    private LocalDateTime now() {
        return LocalDateTime.now(clock).truncatedTo(ChronoUnit.MILLIS);
    }
}
