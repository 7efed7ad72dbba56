package io.barrage.video.upload;

import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.VideoStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * Resumable uploads with the tus 1.0 protocol (core, creation, termination, expiration). Every response
 * carries {@code Tus-Resumable}; the upload URL is {@code /api/v1/uploads/{id}} with a server-made id.
 */
@RestController
@RequestMapping("/api/v1/uploads")
class TusController {

    static final String VERSION = "1.0.0";
    static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";
    private static final String EXTENSIONS = "creation,termination,expiration";

    /** Extra to tus: what GET on an upload answers (tus itself defines no GET). */
    record UploadView(String id, long videoId, long length, long offset, VideoStatus status) {}

    private final ResumableUploads uploads;
    private final TrustedIdentity credentials;
    private final OpenUploads openUploads;

    TusController(ResumableUploads uploads, TrustedIdentity credentials, OpenUploads openUploads) {
        this.uploads = uploads;
        this.credentials = credentials;
        this.openUploads = openUploads;
    }

    @RequestMapping(
            path = {"", "/{id}"},
            method = RequestMethod.OPTIONS)
    ResponseEntity<Void> options() {
        return ResponseEntity.noContent()
                .header("Tus-Resumable", VERSION)
                .header("Tus-Version", VERSION)
                .header("Tus-Extension", EXTENSIONS)
                .header("Tus-Max-Size", Long.toString(uploads.maxSize()))
                .build();
    }

    @PostMapping
    ResponseEntity<UploadView> create(HttpServletRequest request, HttpServletResponse response) {
        tus(request, response);
        long ownerId = credentials.requireUser(request);
        if (request.getHeader("Upload-Defer-Length") != null) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-upload-length", "Upload-Defer-Length is not supported.");
        }
        long length = nonNegative(request.getHeader("Upload-Length"), "invalid-upload-length", "Upload-Length");
        if (length == 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid-upload-length", "An empty file is not a video.");
        }
        Map<String, String> metadata = metadata(request.getHeader("Upload-Metadata"));
        String title = VideoText.title(metadata.get("title"));
        String description = VideoText.description(metadata.get("description"));
        openUploads.requireRoomFor(ownerId);
        var session = uploads.create(ownerId, length, title, description);
        return ResponseEntity.created(URI.create("/api/v1/uploads/" + session.id()))
                .header("Tus-Resumable", VERSION)
                .header("Upload-Expires", httpDate(session.expiresAt()))
                .header("X-Video-Id", Long.toString(session.videoId()))
                .body(new UploadView(session.id(), session.videoId(), length, 0, VideoStatus.UPLOADING));
    }

    @RequestMapping(path = "/{id}", method = RequestMethod.HEAD)
    ResponseEntity<Void> head(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) {
        tus(request, response);
        var session = uploads.find(id, credentials.requireUser(request));
        return ResponseEntity.ok()
                .header("Tus-Resumable", VERSION)
                .header("Upload-Offset", Long.toString(uploads.offset(session)))
                .header("Upload-Length", Long.toString(session.length()))
                .header("Upload-Expires", httpDate(session.expiresAt()))
                .header("X-Video-Id", Long.toString(session.videoId()))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .build();
    }

    @GetMapping("/{id}")
    ResponseEntity<UploadView> get(@PathVariable String id, HttpServletRequest request) {
        var session = uploads.find(id, credentials.requireUser(request));
        return ResponseEntity.ok()
                .header("Tus-Resumable", VERSION)
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .body(new UploadView(
                        id,
                        session.videoId(),
                        session.length(),
                        uploads.offset(session),
                        uploads.videoStatus(session)));
    }

    @PatchMapping("/{id}")
    ResponseEntity<Void> patch(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        tus(request, response);
        long ownerId = credentials.requireUser(request);
        String contentType = request.getContentType();
        if (contentType == null || !contentType.trim().toLowerCase().startsWith(OFFSET_OCTET_STREAM)) {
            throw new ApiException(
                    HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "PATCH bodies must be " + OFFSET_OCTET_STREAM + ".");
        }
        long offset = nonNegative(request.getHeader("Upload-Offset"), "invalid-upload-offset", "Upload-Offset");
        var progress = uploads.append(id, ownerId, offset, request.getContentLengthLong(), request.getInputStream());
        var session = uploads.find(id, ownerId);
        return ResponseEntity.noContent()
                .header("Tus-Resumable", VERSION)
                .header("Upload-Offset", Long.toString(progress.offset()))
                .header("Upload-Expires", httpDate(progress.expiresAt()))
                .header("X-Video-Id", Long.toString(session.videoId()))
                .header("X-Video-Status", progress.status().name())
                .build();
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> terminate(@PathVariable String id, HttpServletRequest request, HttpServletResponse response) {
        tus(request, response);
        uploads.terminate(uploads.find(id, credentials.requireUser(request)));
        return ResponseEntity.noContent().header("Tus-Resumable", VERSION).build();
    }

    /** tus: every response says the version; a request for another version gets 412. */
    private static void tus(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("Tus-Resumable", VERSION);
        if (!VERSION.equals(request.getHeader("Tus-Resumable"))) {
            response.setHeader("Tus-Version", VERSION);
            throw new ApiException(
                    HttpStatus.PRECONDITION_FAILED, "tus-version-unsupported", "Send Tus-Resumable: " + VERSION + ".");
        }
    }

    private static long nonNegative(String header, String code, String name) {
        if (header == null || !header.trim().matches("\\d{1,18}")) {
            throw new ApiException(HttpStatus.BAD_REQUEST, code, name + " must be a non-negative integer.");
        }
        return Long.parseLong(header.trim());
    }

    /** {@code key base64value, key2 base64value2}; keys without a value are allowed. */
    private static Map<String, String> metadata(String header) {
        Map<String, String> values = new HashMap<>();
        if (header == null || header.isBlank()) {
            return values;
        }
        for (String pair : header.split(",")) {
            String[] parts = pair.trim().split(" ", 2);
            if (parts[0].isEmpty()) {
                continue;
            }
            String value = "";
            if (parts.length == 2) {
                try {
                    value = new String(Base64.getDecoder().decode(parts[1].trim()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ApiException(
                            HttpStatus.BAD_REQUEST, "invalid-upload-metadata", "Upload-Metadata values are base64.");
                }
            }
            values.put(parts[0], value);
        }
        return values;
    }

    private static String httpDate(LocalDateTime utc) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(utc.atZone(ZoneOffset.UTC));
    }
}
