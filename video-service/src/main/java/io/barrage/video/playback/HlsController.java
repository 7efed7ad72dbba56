package io.barrage.video.playback;

import io.barrage.platform.problem.ApiException;
import io.barrage.video.catalog.Renditions;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoCatalog;
import io.barrage.video.storage.ObjectStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HLS ladder and the storyboard. The master playlist is made from the published ({@code DONE}) rungs,
 * read on each request while the ladder grows (so it never lists a half-written rung) and kept once it is
 * complete ({@link PublishedLadders}). Rung playlists and
 * segments are stored objects: in proxy mode (the local default) segments flow through this service with
 * long-lived caching (they never change); in redirect mode each segment URI in the rung playlist is a
 * presigned URL of the S3 store, signed as the playlist is served, so segment bytes cross no JVM.
 */
@RestController
class HlsController {

    private static final String M3U8 = "application/vnd.apple.mpegurl";
    private static final Pattern RUNG = Pattern.compile("(?:\\d{2,4}p|audio)");
    private static final Pattern SEGMENT = Pattern.compile("seg_\\d{5}\\.ts");
    private static final Pattern STORYBOARD = Pattern.compile("sprite-\\d{1,3}\\.jpg");
    private static final String IMMUTABLE = "public, max-age=31536000, immutable";

    private final VideoCatalog catalog;
    private final ObjectStore store;
    private final PlaybackProperties properties;
    private final SignedPlaylists signed;
    private final PublishedLadders ladders;

    HlsController(VideoCatalog catalog, Renditions renditions, ObjectStore store, PlaybackProperties properties) {
        this.catalog = catalog;
        this.store = store;
        this.properties = properties;
        this.signed = new SignedPlaylists(
                properties.signedPlaylistWindow(), properties.presignExpiry(), properties.signedPlaylists());
        this.ladders = new PublishedLadders(renditions, properties.publishedLadders());
    }

    @GetMapping("/api/v1/videos/{id}/hls/master.m3u8")
    void master(@PathVariable long id, HttpServletResponse response) throws IOException {
        Video video = catalog.readyVideo(id);
        PublishedLadders.Ladder ladder = ladders.of(video);
        if (ladder.isEmpty()) {
            throw notFound(id);
        }
        // a growing ladder's master changes as rungs finish: revalidated every time; a complete one lists
        // the same relative URIs for good, so a browser or a CDN may reuse it for a while
        String cache = "DONE".equals(video.getLadderState())
                ? "public, max-age=" + properties.masterMaxAge().toSeconds()
                : "no-cache";
        write(response, M3U8, cache, ladder.master());
    }

    @GetMapping("/api/v1/videos/{id}/hls/{rung}/index.m3u8")
    void media(@PathVariable long id, @PathVariable String rung, HttpServletResponse response) throws IOException {
        Video video = catalog.readyVideo(id);
        if (!RUNG.matcher(rung).matches() || !ladders.of(video).publishes(rung)) {
            throw notFound(id);
        }
        String prefix = "videos/" + id + "/hls/" + rung + "/";
        if (properties.streamMode() == PlaybackProperties.StreamMode.REDIRECT) {
            // whether the video may be seen, and the rung is published, is checked above on every request;
            // only the signing is reused, only for a complete ladder (a growing rung gains a segment every
            // few seconds), and only for this version of the row: a retried or restored ladder (which
            // changes the row) is read and signed afresh at once
            byte[] body = "DONE".equals(video.getLadderState())
                    ? signed.get(prefix + "@" + video.getVersion(), () -> sign(prefix, id))
                    : sign(prefix, id);
            // the signatures expire: never cached
            write(response, M3U8, "no-store", body);
            return;
        }
        String playlist = read(prefix + "index.m3u8", id);
        // a growing rung's playlist gains a segment every few seconds: a player reloads it, so no cache may hold it
        String cache = "DONE".equals(video.getLadderState()) ? "public, max-age=300" : "no-cache";
        write(response, M3U8, cache, playlist.getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/api/v1/videos/{id}/hls/{rung}/{file}")
    void segment(
            @PathVariable long id,
            @PathVariable String rung,
            @PathVariable String file,
            HttpServletRequest request,
            HttpServletResponse response)
            throws IOException {
        catalog.readyVideo(id);
        if (!RUNG.matcher(rung).matches() || !SEGMENT.matcher(file).matches()) {
            throw notFound(id);
        }
        proxy("videos/" + id + "/hls/" + rung + "/" + file, "video/mp2t", id, request, response);
    }

    @GetMapping("/api/v1/videos/{id}/storyboard/thumbnails.vtt")
    void vtt(@PathVariable long id, HttpServletResponse response) throws IOException {
        Video video = catalog.readyVideo(id);
        if (!Boolean.TRUE.equals(video.getStoryboard())) {
            throw notFound(id);
        }
        String body = read("videos/" + id + "/storyboard/thumbnails.vtt", id);
        write(response, "text/vtt;charset=utf-8", "public, max-age=86400", body.getBytes(StandardCharsets.UTF_8));
    }

    @GetMapping("/api/v1/videos/{id}/storyboard/{file}")
    void sprite(
            @PathVariable long id, @PathVariable String file, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Video video = catalog.readyVideo(id);
        if (!Boolean.TRUE.equals(video.getStoryboard())
                || !STORYBOARD.matcher(file).matches()) {
            throw notFound(id);
        }
        proxy("videos/" + id + "/storyboard/" + file, "image/jpeg", id, request, response);
    }

    /** The rung playlist with each segment URI replaced by a presigned URL of the store. */
    private byte[] sign(String prefix, long id) {
        String playlist;
        try {
            playlist = read(prefix + "index.m3u8", id);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder(playlist.length() * 8);
        for (String line : playlist.split("\n")) {
            if (!line.isBlank()
                    && !line.startsWith("#")
                    && SEGMENT.matcher(line.trim()).matches()) {
                out.append(store.presignedGetForViewers(prefix + line.trim(), properties.presignExpiry()));
            } else {
                out.append(line);
            }
            out.append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void proxy(
            String key, String contentType, long id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        var stored = store.find(key).orElseThrow(() -> notFound(id));
        try (InputStream body = stored.body()) {
            String etag = "\"" + stored.etag() + "\"";
            response.setHeader(HttpHeaders.ETAG, etag);
            response.setHeader(HttpHeaders.CACHE_CONTROL, IMMUTABLE);
            response.setHeader("X-Content-Type-Options", "nosniff");
            if (etag.equals(request.getHeader(HttpHeaders.IF_NONE_MATCH))) {
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                return;
            }
            response.setContentType(contentType);
            if (stored.size() >= 0) {
                response.setContentLengthLong(stored.size());
            }
            body.transferTo(response.getOutputStream());
        }
    }

    private String read(String key, long id) throws IOException {
        var stored = store.find(key).orElseThrow(() -> notFound(id));
        try (InputStream body = stored.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(HttpServletResponse response, String type, String cache, byte[] body) throws IOException {
        response.setContentType(type);
        response.setHeader(HttpHeaders.CACHE_CONTROL, cache);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static ApiException notFound(long id) {
        return new ApiException(HttpStatus.NOT_FOUND, "video-not-found", "Video " + id + " has no such media.");
    }
}
