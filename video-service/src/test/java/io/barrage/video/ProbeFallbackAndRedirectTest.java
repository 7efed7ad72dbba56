package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Without ffprobe and ffmpeg (forced by configuration), and with streams redirected to the S3 store. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ProbeFallbackAndRedirectTest {

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        // the catalogue and the original's streaming, with hand-built MP4s nothing can decode: no ladder
        // (transcoding is covered by TranscodeTest), and no worker to take TranscodeTest's jobs
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.ffprobe-path", () -> "/nonexistent/ffprobe");
        registry.add("barrage.video.ffmpeg-path", () -> "/nonexistent/ffmpeg");
        registry.add("barrage.video.stream-mode", () -> "redirect");
        registry.add("barrage.video.presign-expiry", () -> "2m");
    }

    @LocalServerPort
    int port;

    @Test
    void withoutFfprobeTheBoxesDescribeTheVideoAndTheThumbnailIsAPlaceholder() throws Exception {
        VideoClient c = new VideoClient(port);
        byte[] mp4 = TinyMp4.build(1000, 7_500, 1280, 720, 2048);
        var created = c.upload(91, "Boxes only", "boxes.mp4", mp4);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode video = c.tree(created);
        assertThat(video.get("status").asString()).isEqualTo("READY");
        assertThat(video.get("durationMs").asLong()).isEqualTo(7_500);
        assertThat(video.get("width").asInt()).isEqualTo(1280);
        assertThat(video.get("height").asInt()).isEqualTo(720);

        // a real Matroska file: without ffprobe nothing here can read its duration or size
        var mkv = c.tree(c.upload(91, "Unprobed", "card.mkv", VideoClient.ffmpegClip("mkv")));
        assertThat(mkv.get("status").asString()).isEqualTo("READY");
        assertThat(mkv.get("durationMs").asLong()).isZero();
        assertThat(mkv.get("width").isNull()).isTrue();

        long id = video.get("id").asLong();
        var thumbnail = c.getBytes("/api/v1/videos/" + id + "/thumbnail", Map.of());
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(new String(thumbnail.body())).startsWith("<svg");
        assertThat(thumbnail.headers().firstValue("Cache-Control")).hasValue("public, max-age=300");
        String etag = thumbnail.headers().firstValue("ETag").orElseThrow();
        assertThat(c.getBytes("/api/v1/videos/" + id + "/thumbnail", Map.of("If-None-Match", etag))
                        .statusCode())
                .isEqualTo(304);
    }

    @Test
    void redirectModeSendsAShortLivedPresignedUrlThatServesRanges() throws Exception {
        VideoClient c = new VideoClient(port);
        byte[] mp4 = TinyMp4.build(1000, 4_000, 320, 240, 64 * 1024);
        long id = c.tree(c.upload(92, "Redirected", "r.mp4", mp4)).get("id").asLong();

        var redirect = c.getBytes("/api/v1/videos/" + id + "/stream", Map.of());
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Cache-Control")).hasValue("no-store");
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(TestInfra.get().s3Endpoint()).contains("X-Amz-Expires=120");

        HttpClient following = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        var ranged = following.send(
                HttpRequest.newBuilder(c.uri("/api/v1/videos/" + id + "/stream"))
                        .header("Range", "bytes=100-1123")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ranged.statusCode()).isEqualTo(206);
        assertThat(ranged.headers().firstValue("Content-Range")).hasValue("bytes 100-1123/" + mp4.length);
        assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(mp4, 100, 1124));
        var whole = following.send(
                HttpRequest.newBuilder(URI.create(location)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(mp4);

        c.assertProblem(c.get("/api/v1/videos/987654321/stream", null), 404, "video-not-found");
    }
}
