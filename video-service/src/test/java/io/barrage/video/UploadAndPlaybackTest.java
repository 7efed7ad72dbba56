package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Uploads (multipart and tus), processing with ffprobe/ffmpeg, thumbnails and stream limits. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class UploadAndPlaybackTest {

    private static final int MIB = 1024 * 1024;

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) throws Exception {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        // the catalogue and the original's streaming, with hand-built MP4s nothing can decode: no ladder
        // (transcoding is covered by TranscodeTest), and no worker to take TranscodeTest's jobs
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.max-upload-size", () -> "64MB");
        registry.add("barrage.video.upload-part-size", () -> "5MB");
        registry.add("barrage.video.streams-per-client", () -> "2");
        String buffers = Files.createTempDirectory("barrage-upload-test").toString();
        registry.add("barrage.video.upload-buffer-dir", () -> buffers);
        registry.add("spring.servlet.multipart.location", () -> MULTIPART_DIR.toString());
    }

    /** Where Tomcat spools multipart parts: empty unless someone's upload is being parsed. */
    private static final java.nio.file.Path MULTIPART_DIR = tempDirectory("barrage-multipart-test");

    private static java.nio.file.Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private VideoClient client() {
        return new VideoClient(port);
    }

    @Test
    void anAnonymousMultipartUploadIsRefusedBeforeItsBodyIsReadOrSpooled() throws Exception {
        // a 32 MiB upload announced (within the limit), its first kilobytes sent, and then nothing: only a
        // check made before the body is parsed can answer now, and nothing of it may have reached the disk
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/v1/videos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: multipart/form-data; boundary=b\r\n"
                            + "Content-Length: " + (32 * MIB) + "\r\n"
                            // a forged identity without the service credential is nobody
                            + "X-User-Id: 41\r\n\r\n"
                            + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n"
                            + "Content-Type: video/mp4\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            var in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 401");
            int length = 0;
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            char[] problem = new char[length];
            for (int read = 0; read < length; ) {
                read += in.read(problem, read, length - read);
            }
            assertThat(new String(problem)).contains("\"code\":\"unauthenticated\"");
            try (var spooled = Files.walk(MULTIPART_DIR)) {
                assertThat(spooled.filter(Files::isRegularFile).toList()).isEmpty();
            }
        }
        // and an anonymous tus chunk is refused the same way
        VideoClient c = client();
        c.assertProblem(
                c.tusPatch("/api/v1/uploads/00000000000000000000000000000000", null, 0, new byte[1024], 0, 1024),
                401,
                "unauthenticated");
    }

    @Test
    void aUserHoldsAtMostFiveUnfinishedResumableUploads() throws Exception {
        VideoClient c = client();
        long user =
                7_000_000L + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        java.util.List<String> locations = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            var created = c.tusCreate(user, 1000, "Open " + i);
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            locations.add(created.headers().firstValue("Location").orElseThrow());
        }
        var refused = c.tusCreate(user, 1000, "One too many");
        c.assertProblem(refused, 429, "too-many-open-uploads");
        // someone else is not held by this user's uploads
        assertThat(c.tusCreate(user + 1, 1000, "Other").statusCode()).isEqualTo(201);
        // cancelling one makes room
        var cancelled = c.send(c.as(
                HttpRequest.newBuilder(c.uri(locations.getFirst()))
                        .header("Tus-Resumable", "1.0.0")
                        .DELETE(),
                user));
        assertThat(cancelled.statusCode()).isEqualTo(204);
        assertThat(c.tusCreate(user, 1000, "Room again").statusCode()).isEqualTo(201);
    }

    @Test
    void ffprobeDescribesAMatroskaVideoAndFfmpegGrabsItsThumbnail() throws Exception {
        VideoClient c = client();
        byte[] mkv = VideoClient.ffmpegClip("mkv");
        var created = c.upload(41, "Test card", "card.mkv", mkv);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode video = c.tree(created);
        long id = video.get("id").asLong();
        assertThat(video.get("status").asString()).isEqualTo("READY");
        assertThat(video.get("contentType").asString()).isEqualTo("video/x-matroska");
        // the box parser knows nothing of Matroska: these can only have come from ffprobe
        assertThat(video.get("durationMs").asLong()).isBetween(1900L, 2100L);
        assertThat(video.get("width").asInt()).isEqualTo(320);
        assertThat(video.get("height").asInt()).isEqualTo(240);

        var thumbnail = c.getBytes("/api/v1/videos/" + id + "/thumbnail", Map.of());
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        assertThat(thumbnail.body()[0] & 0xFF).isEqualTo(0xFF);
        assertThat(thumbnail.body()[1] & 0xFF).isEqualTo(0xD8);
        assertThat(thumbnail.headers().firstValue("Cache-Control")).hasValue("public, max-age=86400");
        String etag = thumbnail.headers().firstValue("ETag").orElseThrow();
        var again = c.getBytes("/api/v1/videos/" + id + "/thumbnail", Map.of("If-None-Match", etag));
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        // stored next to the original
        Infra infra = TestInfra.get();
        MinioClient minio = infra.s3Client();
        assertThat(minio.statObject(StatObjectArgs.builder()
                                .bucket(Infra.BUCKET)
                                .object("videos/" + id + "/thumbnail.jpg")
                                .build())
                        .size())
                .isEqualTo(thumbnail.body().length);

        c.assertProblem(c.get("/api/v1/videos/987654321/thumbnail", null), 404, "video-not-found");
    }

    @Test
    void resumableUploadSurvivesADroppedConnectionAndEndsReady() throws Exception {
        VideoClient c = client();
        byte[] mp4 = TinyMp4.build(1000, 10_000, 640, 360, 12 * MIB);
        var created = c.tusCreate(51L, mp4.length, "On a train");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Tus-Resumable")).hasValue("1.0.0");
        String location = created.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("/api/v1/uploads/[0-9a-f]{32}");
        long videoId = c.tree(created).get("videoId").asLong();
        assertThat(created.headers().firstValue("X-Video-Id")).hasValue(Long.toString(videoId));

        var fresh = c.tusHead(location, 51L);
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(c.offsetOf(fresh)).isZero();
        assertThat(fresh.headers().firstValue("Upload-Length")).hasValue(Integer.toString(mp4.length));
        assertThat(fresh.headers().firstValue("Cache-Control")).hasValue("no-store");

        // more than one S3 part (5 MiB) and an odd number of bytes, then the connection drops
        int half = mp4.length / 2 + 123;
        c.tusPatchAndDrop(location, 51L, mp4, 0, half);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (c.offsetOf(c.tusHead(location, 51L)) != half && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(c.offsetOf(c.tusHead(location, 51L))).isEqualTo(half);

        // not READY, so not public yet
        c.assertProblem(c.get("/api/v1/videos/" + videoId, null), 404, "video-not-found");
        JsonNode progress = c.tree(c.get(location, 51L));
        assertThat(progress.get("offset").asLong()).isEqualTo(half);
        assertThat(progress.get("status").asString()).isEqualTo("UPLOADING");

        // a stale offset is refused, the right one resumes
        c.assertProblem(c.tusPatch(location, 51L, 0, mp4, 0, 10), 409, "upload-offset-mismatch");
        HttpResponse<String> done = null;
        while (System.nanoTime() < deadline) {
            done = c.tusPatch(location, 51L, half, mp4, half, mp4.length);
            if (done.statusCode() != 409) {
                break;
            }
            Thread.sleep(100); // the dropped request may still hold the upload for a moment
        }
        assertThat(done.statusCode()).as(done.body()).isEqualTo(204);
        assertThat(done.headers().firstValue("Upload-Offset")).hasValue(Integer.toString(mp4.length));
        assertThat(done.headers().firstValue("X-Video-Status")).hasValue("READY");
        assertThat(c.offsetOf(c.tusHead(location, 51L))).isEqualTo(mp4.length);

        JsonNode video = c.tree(c.get("/api/v1/videos/" + videoId, null));
        assertThat(video.get("status").asString()).isEqualTo("READY");
        assertThat(video.get("ownerId").asLong()).isEqualTo(51);
        assertThat(video.get("title").asString()).isEqualTo("On a train");
        assertThat(video.get("contentType").asString()).isEqualTo("video/mp4");
        assertThat(video.get("sizeBytes").asLong()).isEqualTo(mp4.length);
        assertThat(video.get("durationMs").asLong()).isEqualTo(10_000);
        assertThat(video.get("width").asInt()).isEqualTo(640);
        assertThat(video.get("height").asInt()).isEqualTo(360);
        assertThat(c.tree(c.get(location, 51L)).get("status").asString()).isEqualTo("READY");

        var stream = c.getBytes("/api/v1/videos/" + videoId + "/stream", Map.of());
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.body()).isEqualTo(mp4);
        var range = c.getBytes("/api/v1/videos/" + videoId + "/stream", Map.of("Range", "bytes=5242870-5242889"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(mp4, 5242870, 5242890));
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM video_upload_part WHERE upload_id = ?",
                        Long.class,
                        location.substring(location.lastIndexOf('/') + 1)))
                .isZero();
    }

    @Test
    void tusProtocolRulesAndLimits() throws Exception {
        VideoClient c = client();
        var options = c.send(HttpRequest.newBuilder(c.uri("/api/v1/uploads"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Tus-Version")).hasValue("1.0.0");
        assertThat(options.headers().firstValue("Tus-Extension")).hasValue("creation,termination,expiration");
        assertThat(options.headers().firstValue("Tus-Max-Size")).hasValue(Long.toString(64L * MIB));

        var noVersion = c.send(c.as(
                HttpRequest.newBuilder(c.uri("/api/v1/uploads"))
                        .header("Upload-Length", "100")
                        .POST(HttpRequest.BodyPublishers.noBody()),
                61L));
        c.assertProblem(noVersion, 412, "tus-version-unsupported");
        assertThat(noVersion.headers().firstValue("Tus-Version")).hasValue("1.0.0");

        c.assertProblem(c.tusCreate(null, 100, "Anonymous"), 401, "unauthenticated");
        c.assertProblem(c.tusCreate(61L, 64L * MIB + 1, "Too big"), 413, "payload-too-large");
        c.assertProblem(c.tusCreate(61L, 100, " "), 400, "invalid-title");

        byte[] mp4 = TinyMp4.build(1000, 3000, 160, 90, 1000);
        String location = c.tusCreate(61L, mp4.length, "Rules")
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(c.tusHead(location, 62L).statusCode()).isEqualTo(404);
        assertThat(c.tusHead("/api/v1/uploads/00000000000000000000000000000000", 61L)
                        .statusCode())
                .isEqualTo(404);
        c.assertProblem(c.tusPatch(location, 61L, 5, mp4, 0, 10), 409, "upload-offset-mismatch");
        var wrongType = c.send(c.as(
                HttpRequest.newBuilder(c.uri(location))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Content-Type", "application/octet-stream")
                        .header("Upload-Offset", "0")
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(mp4)),
                61L));
        c.assertProblem(wrongType, 415, "unsupported-media-type");
        c.assertProblem(
                c.tusPatch(location, 61L, 0, new byte[mp4.length + 1], 0, mp4.length + 1),
                413,
                "upload-length-exceeded");

        // small chunks, the first shorter than the magic-byte window
        var first = c.tusPatch(location, 61L, 0, mp4, 0, 20);
        assertThat(first.statusCode()).isEqualTo(204);
        assertThat(first.headers().firstValue("Upload-Offset")).hasValue("20");
        assertThat(first.headers().firstValue("X-Video-Status")).hasValue("UPLOADING");
        var last = c.tusPatch(location, 61L, 20, mp4, 20, mp4.length);
        assertThat(last.headers().firstValue("X-Video-Status")).hasValue("READY");
        long videoId = Long.parseLong(last.headers().firstValue("X-Video-Id").orElseThrow());
        assertThat(c.getBytes("/api/v1/videos/" + videoId + "/stream", Map.of()).body())
                .isEqualTo(mp4);

        // text is refused on its first bytes and the upload is gone
        byte[] text = "this is a shopping list, not a video; eggs, milk, flour, sugar and tea"
                .repeat(4)
                .getBytes(StandardCharsets.UTF_8);
        var textUpload = c.tusCreate(61L, text.length, "Not a video");
        String textLocation = textUpload.headers().firstValue("Location").orElseThrow();
        long textVideo = c.tree(textUpload).get("videoId").asLong();
        c.assertProblem(c.tusPatch(textLocation, 61L, 0, text, 0, text.length), 415, "unsupported-media-type");
        assertThat(c.tusHead(textLocation, 61L).statusCode()).isEqualTo(404);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM video WHERE id = ?", Long.class, textVideo))
                .isZero();

        // a broken MP4 uploads fine but ends FAILED, never public
        byte[] broken = Arrays.copyOf(mp4, 900);
        String brokenLocation = c.tusCreate(61L, broken.length, "Broken")
                .headers()
                .firstValue("Location")
                .orElseThrow();
        var brokenDone = c.tusPatch(brokenLocation, 61L, 0, broken, 0, broken.length);
        assertThat(brokenDone.statusCode()).isEqualTo(204);
        assertThat(brokenDone.headers().firstValue("X-Video-Status")).hasValue("FAILED");
        long brokenVideo =
                Long.parseLong(brokenDone.headers().firstValue("X-Video-Id").orElseThrow());
        c.assertProblem(c.get("/api/v1/videos/" + brokenVideo, null), 404, "video-not-found");

        // termination
        String doomed = c.tusCreate(61L, mp4.length, "Doomed")
                .headers()
                .firstValue("Location")
                .orElseThrow();
        assertThat(c.tusPatch(doomed, 61L, 0, mp4, 0, 100).statusCode()).isEqualTo(204);
        c.assertProblem(
                c.send(c.as(
                        HttpRequest.newBuilder(c.uri(doomed))
                                .header("Tus-Resumable", "1.0.0")
                                .DELETE(),
                        62L)),
                404,
                "upload-not-found");
        var terminated = c.send(c.as(
                HttpRequest.newBuilder(c.uri(doomed))
                        .header("Tus-Resumable", "1.0.0")
                        .DELETE(),
                61L));
        assertThat(terminated.statusCode()).isEqualTo(204);
        assertThat(c.tusHead(doomed, 61L).statusCode()).isEqualTo(404);
    }

    @Test
    void abandonedUploadsAreAbortedByTheCleanupJob() throws Exception {
        VideoClient c = client();
        byte[] mp4 = TinyMp4.build(1000, 3000, 160, 90, 1000);
        var created = c.tusCreate(71L, mp4.length, "Abandoned");
        String location = created.headers().firstValue("Location").orElseThrow();
        long videoId = c.tree(created).get("videoId").asLong();
        assertThat(c.tusPatch(location, 71L, 0, mp4, 0, 300).statusCode()).isEqualTo(204);
        String id = location.substring(location.lastIndexOf('/') + 1);
        jdbc.update("UPDATE video_upload SET expires_at = '2000-01-01 00:00:00' WHERE id = ?", id);

        var anonymous = c.send(HttpRequest.newBuilder(c.uri("/internal/v1/jobs/upload-cleanup"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        c.assertProblem(anonymous, 401, "service-credential-required");
        var cleaned = c.send(HttpRequest.newBuilder(c.uri("/internal/v1/jobs/upload-cleanup"))
                .header("X-Service-Token", c.token)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(cleaned.statusCode()).isEqualTo(200);
        assertThat(c.tree(cleaned).get("items").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(c.tusHead(location, 71L).statusCode()).isEqualTo(404);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM video WHERE id = ?", Long.class, videoId))
                .isZero();
    }

    @Test
    void streamsAreLimitedPerClientAndAClosedStreamFreesItsSlot() throws Exception {
        VideoClient c = client();
        byte[] mp4 = TinyMp4.build(1000, 60_000, 640, 360, 24 * MIB);
        long id = c.tree(c.upload(81, "Long one", "long.mp4", mp4)).get("id").asLong();
        String stream = "/api/v1/videos/" + id + "/stream";
        Map<String, String> user = Map.of("X-Service-Token", c.token, "X-User-Id", "8101");

        Socket first = c.holdStream(stream, user);
        Socket second = c.holdStream(stream, user);
        try {
            var refused = c.send(c.as(HttpRequest.newBuilder(c.uri(stream)).header("Range", "bytes=0-99"), 8101L));
            c.assertProblem(refused, 429, "too-many-streams");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
            // the limit is per user, not global
            var other =
                    c.getBytes(stream, Map.of("X-Service-Token", c.token, "X-User-Id", "8102", "Range", "bytes=0-99"));
            assertThat(other.statusCode()).isEqualTo(206);
            // HEAD sends no bytes and takes no slot
            var head = c.send(c.as(
                    HttpRequest.newBuilder(c.uri(stream)).method("HEAD", HttpRequest.BodyPublishers.noBody()), 8101L));
            assertThat(head.statusCode()).isEqualTo(200);

            first.close();
            HttpResponse<byte[]> after = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                after = c.getBytes(
                        stream, Map.of("X-Service-Token", c.token, "X-User-Id", "8101", "Range", "bytes=0-99"));
                if (after.statusCode() != 429) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(after.statusCode()).isEqualTo(206);
            assertThat(after.body()).isEqualTo(Arrays.copyOf(mp4, 100));
        } finally {
            first.close();
            second.close();
        }

        // anonymous viewers are counted by the IP the gateway vouches for
        Map<String, String> viaGateway = Map.of("X-Service-Token", c.token, "X-Client-Ip", "203.0.113.7");
        Socket a = c.holdStream(stream, viaGateway);
        Socket b = c.holdStream(stream, viaGateway);
        try {
            assertThat(c.getBytes(
                                    stream,
                                    Map.of(
                                            "X-Service-Token",
                                            c.token,
                                            "X-Client-Ip",
                                            "203.0.113.7",
                                            "Range",
                                            "bytes=0-9"))
                            .statusCode())
                    .isEqualTo(429);
            assertThat(c.getBytes(
                                    stream,
                                    Map.of(
                                            "X-Service-Token",
                                            c.token,
                                            "X-Client-Ip",
                                            "203.0.113.8",
                                            "Range",
                                            "bytes=0-9"))
                            .statusCode())
                    .isEqualTo(206);
        } finally {
            a.close();
            b.close();
        }
    }
}
