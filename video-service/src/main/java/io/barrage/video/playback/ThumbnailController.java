package io.barrage.video.playback;

import io.barrage.video.catalog.VideoCatalog;
import io.barrage.video.storage.ObjectStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/videos/{id}/thumbnail}: the JPEG frame ffmpeg grabbed while the video was processed,
 * or a placeholder SVG where ffmpeg was not installed (or could not decode the video). A video's
 * thumbnail never changes, so browsers may keep it for a day and revalidate with the ETag.
 */
@RestController
class ThumbnailController {

    private static final String CACHE = "public, max-age=86400";
    // the placeholder may become a real frame if the video is processed again, so keep it briefly
    private static final String PLACEHOLDER_CACHE = "public, max-age=300";

    private final VideoCatalog catalog;
    private final ObjectStore store;
    private final byte[] placeholder;
    private final String placeholderEtag;

    ThumbnailController(VideoCatalog catalog, ObjectStore store) {
        this.catalog = catalog;
        this.store = store;
        try (InputStream in = new ClassPathResource("thumbnail-placeholder.svg").getInputStream()) {
            this.placeholder = in.readAllBytes();
            this.placeholderEtag = "\"placeholder-"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(placeholder), 0, 8)
                    + "\"";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @GetMapping("/api/v1/videos/{id}/thumbnail")
    void thumbnail(@PathVariable long id, HttpServletRequest request, HttpServletResponse response) throws IOException {
        catalog.readyVideo(id);
        var stored = store.find(ObjectStore.thumbnailKeyFor(id));
        if (stored.isEmpty()) {
            write(request, response, placeholderEtag, PLACEHOLDER_CACHE, "image/svg+xml", placeholder);
            return;
        }
        try (InputStream body = stored.get().body()) {
            String etag = "\"" + stored.get().etag() + "\"";
            if (matches(request, etag)) {
                notModified(response, etag, CACHE);
                return;
            }
            // a few dozen KiB at most (MediaProbe caps it), so reading it whole is fine
            write(request, response, etag, CACHE, "image/jpeg", body.readAllBytes());
        }
    }

    private static void write(
            HttpServletRequest request,
            HttpServletResponse response,
            String etag,
            String cacheControl,
            String contentType,
            byte[] bytes)
            throws IOException {
        if (matches(request, etag)) {
            notModified(response, etag, cacheControl);
            return;
        }
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
        response.setContentType(contentType);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static void notModified(HttpServletResponse response, String etag, String cacheControl) {
        response.setHeader(HttpHeaders.ETAG, etag);
        response.setHeader(HttpHeaders.CACHE_CONTROL, cacheControl);
        response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
    }

    private static boolean matches(HttpServletRequest request, String etag) {
        String header = request.getHeader(HttpHeaders.IF_NONE_MATCH);
        if (header == null) {
            return false;
        }
        for (String candidate : header.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
