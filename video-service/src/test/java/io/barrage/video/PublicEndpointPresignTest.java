package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Presigned mode behind a public address of the S3 store: in a cluster, {@code barrage.s3.endpoint} is a
 * name browsers cannot resolve, so the URLs viewers get are signed for {@code
 * barrage.video.storage.public-endpoint}. Here the store answers on 127.0.0.1 (the services' address) and
 * on localhost (the "public" one): a URL signed for the wrong host would be refused by the store.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PublicEndpointPresignTest {

    private static final String PUBLIC = TestInfra.get().s3Endpoint().replace("127.0.0.1", "localhost");

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        // the rung is stored by the test itself; no worker to take other tests' jobs
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.ffprobe-path", () -> "/nonexistent/ffprobe");
        registry.add("barrage.video.ffmpeg-path", () -> "/nonexistent/ffmpeg");
        registry.add("barrage.video.stream-mode", () -> "redirect");
        registry.add("barrage.video.presign-expiry", () -> "10m");
        registry.add("barrage.video.storage.public-endpoint", () -> PUBLIC);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void segmentUrlsAndRedirectsAreSignedForThePublicAddressAndTheStoreServesThem() throws Exception {
        assertThat(PUBLIC).isNotEqualTo(TestInfra.get().s3Endpoint());
        VideoClient c = new VideoClient(port);
        byte[] mp4 = TinyMp4.build(1000, 8_000, 320, 240, 4096);
        long id = c.tree(c.upload(93, "Public", "p.mp4", mp4)).get("id").asLong();

        // the original's redirect
        var redirect = c.getBytes("/api/v1/videos/" + id + "/stream", Map.of());
        assertThat(redirect.statusCode()).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(PUBLIC + "/");
        assertThat(fetch(location)).isEqualTo(mp4);

        // a published rung of two segments
        byte[][] segments = {random(40_000), random(30_000)};
        String prefix = "videos/" + id + "/hls/240p/";
        put(prefix + "seg_00000.ts", segments[0]);
        put(prefix + "seg_00001.ts", segments[1]);
        put(
                prefix + "index.m3u8",
                ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                                + "#EXTINF:4.000000,\nseg_00000.ts\n#EXTINF:3.000000,\nseg_00001.ts\n#EXT-X-ENDLIST\n")
                        .getBytes(StandardCharsets.UTF_8));
        jdbc.update(
                "INSERT INTO video_rendition (video_id, name, height, width, state, percent, bandwidth,"
                        + " average_bandwidth, codecs, updated_at)"
                        + " VALUES (?, '240p', 240, 320, 'DONE', 100, 90000, 80000, 'avc1.64000d,mp4a.40.2',"
                        + " UTC_TIMESTAMP(3))",
                id);
        // a complete ladder: only its signed playlists are reused (a growing rung is signed on every request)
        ladderState(id, "DONE");

        var media = c.get("/api/v1/videos/" + id + "/hls/240p/index.m3u8", null);
        assertThat(media.statusCode()).isEqualTo(200);
        assertThat(media.headers().firstValue("Cache-Control")).hasValue("no-store");
        List<String> urls = Arrays.stream(media.body().split("\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
        assertThat(urls)
                .hasSize(2)
                .allSatisfy(u -> assertThat(u).startsWith(PUBLIC + "/").contains("X-Amz-Expires=600"));
        assertThat(fetch(urls.get(0))).isEqualTo(segments[0]);
        assertThat(fetch(urls.get(1))).isEqualTo(segments[1]);

        // asked again within the window, the signed playlist is served as it was, and still plays
        var again = c.get("/api/v1/videos/" + id + "/hls/240p/index.m3u8", null);
        assertThat(again.body()).isEqualTo(media.body());
        assertThat(fetch(urls.get(1))).isEqualTo(segments[1]);

        // a rung withdrawn (which changes the video row) is not served from the window
        jdbc.update("UPDATE video_rendition SET state = 'FAILED' WHERE video_id = ?", id);
        ladderState(id, "DONE");
        c.assertProblem(c.get("/api/v1/videos/" + id + "/hls/240p/index.m3u8", null), 404, "video-not-found");
    }

    @Test
    void aCompleteLaddersMasterIsReusableForAMinuteAndItsRungsAreReadOnceUntilTheVideoChanges() throws Exception {
        VideoClient c = new VideoClient(port);
        long id = c.tree(c.upload(94, "Ladder", "l.mp4", TinyMp4.build(1000, 8_000, 320, 240, 4096)))
                .get("id")
                .asLong();
        String master = "/api/v1/videos/" + id + "/hls/master.m3u8";
        rung(id, "240p", 240);
        ladderState(id, "PROCESSING");

        // growing: revalidated on every request, and a rung that finishes is listed at once
        var growing = c.get(master, null);
        assertThat(growing.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(variants(growing.body())).containsExactly("240p/index.m3u8");
        rung(id, "360p", 360);
        assertThat(variants(c.get(master, null).body())).containsExactly("240p/index.m3u8", "360p/index.m3u8");

        // complete: a browser or a CDN may keep it a minute, and this service keeps its listing
        ladderState(id, "DONE");
        var complete = c.get(master, null);
        assertThat(complete.headers().firstValue("Cache-Control")).hasValue("public, max-age=60");
        assertThat(variants(complete.body())).containsExactly("240p/index.m3u8", "360p/index.m3u8");
        rung(id, "480p", 480); // behind the worker's back: a complete ladder never gains a rung
        assertThat(c.get(master, null).body()).isEqualTo(complete.body());
        assertThat(c.get("/api/v1/videos/" + id + "/hls/480p/index.m3u8", null).statusCode())
                .isEqualTo(404);

        // any change to the video (a retry or a restore sets it back to PROCESSING first) reads it again
        ladderState(id, "DONE");
        assertThat(variants(c.get(master, null).body()))
                .containsExactly("240p/index.m3u8", "360p/index.m3u8", "480p/index.m3u8");

        // and whether the video may be seen is still asked on every request
        jdbc.update("UPDATE video SET status = 'DELETED', version = version + 1 WHERE id = ?", id);
        cache.evict(id);
        c.assertProblem(c.get(master, null), 404, "video-not-found");
    }

    @Test
    void aRungMadeAgainIsSignedFromItsNewPlaylistAtOnceNotReusedFromTheWindow() throws Exception {
        VideoClient c = new VideoClient(port);
        long id = c.tree(c.upload(95, "Again", "a.mp4", TinyMp4.build(1000, 8_000, 320, 240, 4096)))
                .get("id")
                .asLong();
        String prefix = "videos/" + id + "/hls/240p/";
        String media = "/api/v1/videos/" + id + "/hls/240p/index.m3u8";
        put(prefix + "seg_00000.ts", random(10_000));
        put(prefix + "seg_00001.ts", random(11_000));
        put(prefix + "index.m3u8", playlist(1));
        rung(id, "240p", 240);
        ladderState(id, "DONE");
        assertThat(segmentUrls(c.get(media, null).body())).hasSize(1);

        // the same version of the video within the window: the signed playlist is served again as it was
        put(prefix + "index.m3u8", playlist(2));
        assertThat(segmentUrls(c.get(media, null).body())).hasSize(1);

        // the ladder made again (a retry or a restore changes the row): its new playlist at once
        ladderState(id, "PROCESSING");
        ladderState(id, "DONE");
        List<String> urls = segmentUrls(c.get(media, null).body());
        assertThat(urls).hasSize(2);
        assertThat(fetch(urls.get(1))).hasSize(11_000);
    }

    private static byte[] playlist(int segments) {
        StringBuilder out =
                new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n");
        for (int i = 0; i < segments; i++) {
            out.append("#EXTINF:4.000000,\nseg_0000").append(i).append(".ts\n");
        }
        return out.append("#EXT-X-ENDLIST\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> segmentUrls(String playlist) {
        return Arrays.stream(playlist.split("\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
    }

    @Autowired
    io.barrage.video.catalog.VideoCache cache;

    private void rung(long id, String name, int height) {
        jdbc.update(
                "INSERT INTO video_rendition (video_id, name, height, width, state, percent, bandwidth,"
                        + " average_bandwidth, codecs, updated_at)"
                        + " VALUES (?, ?, ?, ?, 'DONE', 100, 90000, 80000, 'avc1.64000d,mp4a.40.2', UTC_TIMESTAMP(3))",
                id,
                name,
                height,
                height * 16 / 9);
    }

    /** As the worker writes it: through the row's version, then the cached row is dropped. */
    private void ladderState(long id, String state) {
        jdbc.update("UPDATE video SET ladder_state = ?, version = version + 1 WHERE id = ?", state, id);
        cache.evict(id);
    }

    private static List<String> variants(String master) {
        return Arrays.stream(master.split("\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
    }

    private byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> response =
                http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode())
                .as(url + ": " + new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return response.body();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static void put(String key, byte[] bytes) throws Exception {
        TestInfra.get().putObject(key, bytes);
    }
}
