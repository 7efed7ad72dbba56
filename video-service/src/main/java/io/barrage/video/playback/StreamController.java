package io.barrage.video.playback;

import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoCatalog;
import io.barrage.video.storage.ObjectStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET|HEAD /api/v1/videos/{id}/stream}. Written against the servlet response on purpose: the
 * bytes go from the bucket's ranged read to the socket through one small buffer. In redirect mode the
 * answer is a 302 to a short-lived presigned URL instead, and the S3 store serves the bytes (and the
 * Range semantics) itself. Proxied streams count against the client's stream limit while bytes flow.
 */
@RestController
class StreamController {

    private static final Logger log = LoggerFactory.getLogger(StreamController.class);
    private static final int BUFFER = 64 * 1024;

    static final String CLIENT_IP_HEADER = "X-Client-Ip";

    private final VideoCatalog catalog;
    private final ObjectStore store;
    private final StreamLimiter limiter;
    private final TrustedIdentity credentials;
    private final PlaybackProperties properties;

    StreamController(
            VideoCatalog catalog,
            ObjectStore store,
            StreamLimiter limiter,
            TrustedIdentity credentials,
            PlaybackProperties properties) {
        this.catalog = catalog;
        this.store = store;
        this.limiter = limiter;
        this.credentials = credentials;
        this.properties = properties;
    }

    @RequestMapping(
            path = "/api/v1/videos/{id}/stream",
            method = {RequestMethod.GET, RequestMethod.HEAD})
    void stream(@PathVariable long id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        Video video = catalog.readyVideo(id);
        // an upload is never a page: no browser may sniff it into HTML
        response.setHeader("X-Content-Type-Options", "nosniff");
        if (properties.streamMode() == PlaybackProperties.StreamMode.REDIRECT) {
            // the URL expires soon, so neither browsers nor proxies may keep the redirect
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            response.setHeader(
                    HttpHeaders.LOCATION,
                    store.presignedGetForViewers(video.getObjectKey(), properties.presignExpiry()));
            response.setStatus(HttpServletResponse.SC_FOUND);
            return;
        }
        long size = video.getSizeBytes();
        String etag = "\"" + video.getEtag() + "\"";
        // HTTP dates have whole seconds; compare in those
        long lastModifiedSeconds = video.getCreatedAt().toEpochSecond(ZoneOffset.UTC);

        response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setDateHeader(HttpHeaders.LAST_MODIFIED, lastModifiedSeconds * 1000);
        response.setHeader(HttpHeaders.CACHE_CONTROL, "private, max-age=0, must-revalidate");

        String ifNoneMatch = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (ifNoneMatch != null
                ? noneMatchHits(ifNoneMatch, etag)
                : notModifiedSince(request.getHeader(HttpHeaders.IF_MODIFIED_SINCE), lastModifiedSeconds)) {
            response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }

        ByteRange range = null;
        String rangeHeader = request.getHeader(HttpHeaders.RANGE);
        if (rangeHeader != null && ifRangeHolds(request.getHeader(HttpHeaders.IF_RANGE), etag, lastModifiedSeconds)) {
            ByteRange.Parsed parsed = ByteRange.parse(rangeHeader, size);
            switch (parsed.outcome()) {
                case UNSATISFIABLE -> {
                    unsatisfiable(response, size);
                    return;
                }
                case PARTIAL -> range = parsed.range();
                case WHOLE -> range = null;
            }
        }

        long offset = range == null ? 0 : range.first();
        long length = range == null ? size : range.length();
        boolean sendsBytes = !"HEAD".equals(request.getMethod()) && length > 0;
        StreamLimiter.Slot slot = null;
        if (sendsBytes) {
            slot = limiter.acquire(clientKey(request)).orElse(null);
            if (slot == null) {
                tooManyStreams(response);
                return;
            }
        }
        try (StreamLimiter.Slot held = slot) {
            send(video, range, offset, length, size, sendsBytes, response);
        }
    }

    private void send(
            Video video,
            ByteRange range,
            long offset,
            long length,
            long size,
            boolean sendsBytes,
            HttpServletResponse response)
            throws IOException {
        response.setContentType(video.getContentType());
        response.setContentLengthLong(length);
        if (range != null) {
            response.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + size);
        } else {
            response.setStatus(HttpServletResponse.SC_OK);
        }
        if (!sendsBytes) {
            return;
        }
        try (InputStream in = store.get(video.getObjectKey(), offset, length)) {
            copy(in, response.getOutputStream());
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        try {
            // the S3 client hands out at most 8 KiB per read; filling the buffer first makes each socket
            // write a large one (see TomcatConfig)
            while ((n = in.readNBytes(buffer, 0, BUFFER)) > 0) {
                out.write(buffer, 0, n);
            }
            out.flush();
        } catch (IOException e) {
            // players abort ranged reads all the time when seeking; that is not an error
            log.debug("stream ended early: {}", e.toString());
        }
    }

    /**
     * Whose streams these are: the signed-in user, else the viewer's IP as the gateway saw it (believed
     * only next to the service credential), else the address of whoever connected.
     */
    private String clientKey(HttpServletRequest request) {
        var userId = credentials.userId(request);
        if (userId.isPresent()) {
            return "u:" + userId.getAsLong();
        }
        String clientIp = request.getHeader(CLIENT_IP_HEADER);
        if (clientIp != null && !clientIp.isBlank() && credentials.presentIn(request)) {
            return "ip:" + clientIp.trim();
        }
        return "ip:" + request.getRemoteAddr();
    }

    private void tooManyStreams(HttpServletResponse response) throws IOException {
        response.setStatus(429);
        response.setHeader(
                HttpHeaders.RETRY_AFTER,
                Long.toString(Math.max(1, properties.streamRetryAfter().toSeconds())));
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        response.setContentType("application/problem+json");
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                        + "\"detail\":\"At most " + properties.streamsPerClient()
                        + " streams at a time; close one or retry later.\",\"code\":\"too-many-streams\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static void unsatisfiable(HttpServletResponse response, long size) throws IOException {
        response.setStatus(HttpServletResponse.SC_REQUESTED_RANGE_NOT_SATISFIABLE);
        response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size);
        response.setContentType("application/problem+json");
        byte[] body = ("{\"type\":\"about:blank\",\"title\":\"Range Not Satisfiable\",\"status\":416,"
                        + "\"detail\":\"The requested range is outside the video.\",\"code\":\"range-not-satisfiable\"}")
                .getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static boolean noneMatchHits(String header, String etag) {
        for (String candidate : header.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*")) {
                return true;
            }
            // If-None-Match uses the weak comparison
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean notModifiedSince(String header, long lastModifiedSeconds) {
        Long since = httpDateSeconds(header);
        return since != null && lastModifiedSeconds <= since;
    }

    /** If-Range needs a strong match (or the exact date); otherwise the whole video is sent. */
    private static boolean ifRangeHolds(String header, String etag, long lastModifiedSeconds) {
        if (header == null) {
            return true;
        }
        String value = header.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return value.equals(etag);
        }
        Long date = httpDateSeconds(value);
        return date != null && date == lastModifiedSeconds;
    }

    private static Long httpDateSeconds(String header) {
        if (header == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
