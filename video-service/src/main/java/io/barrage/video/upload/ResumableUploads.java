package io.barrage.video.upload;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.UploadingVideos;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.storage.ObjectStore;
import io.barrage.video.upload.UploadLedger.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
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
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The flow of a tus upload on an S3 multipart upload. Bytes arrive in PATCH requests of any size; they are
 * appended to the {@link PartBuffers buffer} of the part being collected, and each time it holds a full
 * part ({@code barrage.video.upload-part-size}, at least S3's 5 MiB) it goes to S3 as the next part and
 * the {@link UploadLedger} records its ETag. The offset a client may resume from is the bytes of the
 * recorded parts plus the buffer; the heap only ever holds one 64 KiB copy buffer per request. The video
 * row itself is the catalogue's ({@link UploadingVideos}).
 *
 * <p>The buffer is local to the instance, so with several replicas the gateway must route an upload's
 * requests to one instance (hash of the path); an upload that lands elsewhere resumes from the last
 * recorded part, which tus allows (the server may report a smaller offset).
 */
@Service
class ResumableUploads {

    private static final Logger log = LoggerFactory.getLogger(ResumableUploads.class);
    private static final int COPY_BUFFER = 64 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    /** Where an upload stands after a PATCH. */
    record Progress(long offset, LocalDateTime expiresAt, VideoStatus status) {}

    private final UploadLedger ledger;
    private final PartBuffers buffers;
    private final UploadingVideos videos;
    private final TransactionTemplate tx;
    private final ObjectStore store;
    private final VideoProcessor processor;
    private final VideoUploadProperties properties;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    ResumableUploads(
            UploadLedger ledger,
            PartBuffers buffers,
            UploadingVideos videos,
            TransactionTemplate tx,
            ObjectStore store,
            VideoProcessor processor,
            VideoUploadProperties properties) {
        this.ledger = ledger;
        this.buffers = buffers;
        this.videos = videos;
        this.tx = tx;
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
            Video video = videos.create(ownerId, title, description, length, now);
            return ledger.open(id, video.getId(), ownerId, length, now.plus(properties.uploadTtl()), now);
        });
    }

    /** The caller's upload, or 404 (someone else's answers exactly like a missing one). */
    Session find(String id, long ownerId) {
        Session session = ID.matcher(id).matches() ? ledger.find(id) : null;
        if (session == null || session.ownerId() != ownerId) {
            throw notFound(id);
        }
        return session;
    }

    long offset(Session session) {
        if (session.completedAt() != null) {
            return session.length();
        }
        return session.flushedBytes() + buffers.size(session.id(), session.parts() + 1);
    }

    VideoStatus videoStatus(Session session) {
        Video video = videos.current(session.videoId());
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
            ledger.extend(id, expires);
            if (received < session.length()) {
                return new Progress(received, expires, VideoStatus.UPLOADING);
            }
            VideoStatus status = complete(ledger.find(id));
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
            RandomAccessFile buffer = buffers.open(session.id(), session.parts() + 1);
            try {
                while (received < session.length()) {
                    long room = partSize - buffer.length();
                    if (room == 0) {
                        buffer = flushPart(session, buffer);
                        session = ledger.find(session.id());
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
            ledger.recordContentType(session.id(), contentType);
            videos.recordContentType(session.videoId(), contentType);
        });
        return ledger.find(session.id());
    }

    /** Sends the buffer as the next part, records it, and returns a fresh buffer for the part after it. */
    private RandomAccessFile flushPart(Session session, RandomAccessFile buffer) throws IOException {
        int number = session.parts() + 1;
        long length = buffer.length();
        String uploadId = session.s3UploadId();
        if (uploadId == null) {
            uploadId = store.createMultipart(session.key(), session.contentType());
            ledger.recordMultipart(session.id(), uploadId);
        }
        buffer.seek(0);
        String etag = store.uploadPart(session.key(), uploadId, number, buffer, length);
        buffer.close();
        Boolean recorded = tx.execute(status -> ledger.recordPart(session.id(), number, etag, length));
        if (!Boolean.TRUE.equals(recorded)) {
            throw new ApiException(HttpStatus.CONFLICT, "upload-locked", "The upload changed meanwhile; retry.");
        }
        buffers.delete(session.id(), number);
        return buffers.open(session.id(), number + 1);
    }

    /** Every byte is there: the last part, the object, then PROCESSING to READY (or FAILED). */
    private VideoStatus complete(Session session) throws ApiException {
        try {
            if (buffers.size(session.id(), session.parts() + 1) > 0) {
                try (RandomAccessFile buffer = buffers.open(session.id(), session.parts() + 1)) {
                    flushPart(session, buffer).close();
                }
                buffers.delete(session.id(), session.parts() + 2);
                session = ledger.find(session.id());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<ObjectStore.PartTag> parts = ledger.parts(session.id());
        String etag = store.completeMultipart(session.key(), session.s3UploadId(), parts);
        ledger.completed(session.id(), now());
        locks.remove(session.id());

        Video video = videos.current(session.videoId());
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
        buffers.deleteQuietly(session.id(), session.parts() + 1);
        tx.executeWithoutResult(status -> {
            ledger.forget(session.id());
            if (session.completedAt() == null) {
                videos.discard(session.videoId());
            }
        });
        locks.remove(session.id());
    }

    /** Aborts uploads untouched for the TTL and forgets finished ones as old; returns how many. */
    int cleanup() {
        int removed = 0;
        for (String id : ledger.expired(now())) {
            ReentrantLock lock = locks.computeIfAbsent(id, k -> new ReentrantLock());
            if (!lock.tryLock()) {
                continue; // being written right now, so not abandoned
            }
            try {
                Session session = ledger.find(id);
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
