package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VideoServiceTest {

    private static final int MAX_UPLOAD = 64 * 1024;

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        // the catalogue and the original's streaming, with hand-built MP4s nothing can decode: no ladder
        // (transcoding is covered by TranscodeTest), and no worker to take TranscodeTest's jobs
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.max-upload-size", () -> MAX_UPLOAD + "B");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final HttpClient http = TestHttp.client();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Infra infra = TestInfra.get();

    @Test
    void uploadedMp4IsDescribedListedAndStreamedByRange() throws Exception {
        byte[] mp4 = TinyMp4.build(1000, 10_000, 640, 360, 4096);

        // a client Content-Type that says nothing: the server goes by the magic bytes
        var created = upload(7, "First clip", "hello", "clip.bin", "application/octet-stream", mp4);
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode video = json.readTree(created.body());
        long id = video.get("id").asLong();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/videos/" + id);
        assertThat(video.get("durationMs").asLong()).isEqualTo(10_000);
        assertThat(video.get("width").asInt()).isEqualTo(640);
        assertThat(video.get("height").asInt()).isEqualTo(360);
        assertThat(video.get("sizeBytes").asLong()).isEqualTo(mp4.length);
        assertThat(video.get("contentType").asString()).isEqualTo("video/mp4");
        assertThat(video.get("status").asString()).isEqualTo("READY");
        assertThat(video.get("ownerId").asLong()).isEqualTo(7);
        assertThat(video.get("title").asString()).isEqualTo("First clip");
        assertThat(video.get("streamUrl").asString()).isEqualTo("/api/v1/videos/" + id + "/stream");
        assertThat(video.get("createdAt").asString()).endsWith("Z");

        var got = get("/api/v1/videos/" + id);
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(json.readTree(got.body()).get("durationMs").asLong()).isEqualTo(10_000);

        long newer = json.readTree(upload(7, "Second clip", null, "b.mp4", "video/mp4", mp4)
                        .body())
                .get("id")
                .asLong();
        JsonNode page = json.readTree(get("/api/v1/videos?page=0&size=2").body());
        assertThat(page.get("size").asInt()).isEqualTo(2);
        assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(2);
        assertThat(page.get("items").get(0).get("id").asLong()).isEqualTo(newer);
        assertThat(page.get("items").get(1).get("id").asLong()).isEqualTo(id);
        assertThat(get("/api/v1/videos?size=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/videos?size=101").statusCode()).isEqualTo(400);

        String stream = "/api/v1/videos/" + id + "/stream";
        var whole = getBytes(stream, Map.of());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(mp4);
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(whole.headers().firstValue("Last-Modified")).isPresent();
        String etag = whole.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).startsWith("\"").endsWith("\"").doesNotStartWith("W/");

        var middle = getBytes(stream, Map.of("Range", "bytes=100-1123"));
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 100-1123/" + mp4.length);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(mp4, 100, 1124));

        var tail = getBytes(stream, Map.of("Range", "bytes=-10"));
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(mp4, mp4.length - 10, mp4.length));

        var open = getBytes(stream, Map.of("Range", "bytes=4000-"));
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.headers().firstValue("Content-Range"))
                .hasValue("bytes 4000-" + (mp4.length - 1) + "/" + mp4.length);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(mp4, 4000, mp4.length));

        var beyond = getBytes(stream, Map.of("Range", "bytes=" + mp4.length + "-"));
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).hasValue("bytes */" + mp4.length);

        var head = http.send(
                HttpRequest.newBuilder(uri(stream))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue(Integer.toString(mp4.length));
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(head.body()).isEmpty();

        var notModified = getBytes(stream, Map.of("If-None-Match", etag));
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();

        var staleIfRange = getBytes(stream, Map.of("Range", "bytes=0-9", "If-Range", "\"something-else\""));
        assertThat(staleIfRange.statusCode()).isEqualTo(200);
        assertThat(staleIfRange.body()).isEqualTo(mp4);
        var freshIfRange = getBytes(stream, Map.of("Range", "bytes=0-9", "If-Range", etag));
        assertThat(freshIfRange.statusCode()).isEqualTo(206);
        assertThat(freshIfRange.body()).isEqualTo(Arrays.copyOf(mp4, 10));

        var several = getBytes(stream, Map.of("Range", "bytes=0-1,5-6"));
        assertThat(several.statusCode()).isEqualTo(200);
    }

    @Test
    void webmIsRecognisedByItsEbmlHeader() throws Exception {
        byte[] webm = new byte[300];
        byte[] header = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x9F, 0x42, (byte) 0x82, (byte) 0x84};
        System.arraycopy(header, 0, webm, 0, header.length);
        System.arraycopy("webm".getBytes(StandardCharsets.US_ASCII), 0, webm, header.length, 4);
        var response = upload(7, "A webm", null, "clip.mp4", "video/mp4", webm);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode video = json.readTree(response.body());
        assertThat(video.get("contentType").asString()).isEqualTo("video/webm");
        assertThat(video.get("durationMs").asLong()).isZero();
        var stream = getBytes("/api/v1/videos/" + video.get("id").asLong() + "/stream", Map.of());
        assertThat(stream.headers().firstValue("Content-Type")).hasValue("video/webm");
        assertThat(stream.body()).isEqualTo(webm);
    }

    @Test
    void textDisguisedAsMp4IsRefusedAndLeavesNothingBehind() throws Exception {
        long rows = rows();
        long objects = objects();
        var response = upload(
                7,
                "Not a video",
                null,
                "x.mp4",
                "video/mp4",
                "just some text, honest".getBytes(StandardCharsets.UTF_8));
        assertProblem(response, 415, "unsupported-media-type");
        assertThat(rows()).isEqualTo(rows);
        assertThat(objects()).isEqualTo(objects);
    }

    @Test
    void truncatedMp4IsInvalidAndLeavesNothingBehind() throws Exception {
        byte[] mp4 = TinyMp4.build(1000, 10_000, 640, 360, 4096);
        long rows = rows();
        long objects = objects();
        var response = upload(7, "Cut short", null, "cut.mp4", "video/mp4", Arrays.copyOf(mp4, 2000));
        assertProblem(response, 400, "invalid-video");
        assertThat(rows()).isEqualTo(rows);
        assertThat(objects()).isEqualTo(objects);
    }

    @Test
    void oversizedUploadGets413() throws Exception {
        byte[] big = TinyMp4.build(1000, 10_000, 640, 360, MAX_UPLOAD * 2);
        long rows = rows();
        var response = upload(7, "Too big", null, "big.mp4", "video/mp4", big);
        assertProblem(response, 413, "payload-too-large");
        assertThat(rows()).isEqualTo(rows);
    }

    @Test
    void uploadNeedsATrustedUser() throws Exception {
        byte[] mp4 = TinyMp4.build(1000, 1000, 16, 16, 16);
        assertProblem(upload(null, "Anonymous", null, "a.mp4", "video/mp4", mp4), 401, "unauthenticated");
        // an identity header without the service credential is not believed
        var forged = http.send(
                multipart(mp4, "Forged", null, "a.mp4", "video/mp4")
                        .header("X-User-Id", "7")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(forged, 401, "unauthenticated");
        assertProblem(upload(7, "  ", null, "a.mp4", "video/mp4", mp4), 400, "invalid-title");
        // text policy (docs/api.md, "Text"): a bidi override would show this title as "Holiday mp4.exe"
        assertProblem(upload(7, "Holiday \u202Eexe.4pm", null, "a.mp4", "video/mp4", mp4), 400, "invalid-title");
        assertProblem(upload(7, "Fine", "zero\u200Bwidth", "a.mp4", "video/mp4", mp4), 400, "invalid-description");
    }

    @Test
    void unknownVideoIsAProblem404() throws Exception {
        assertProblem(get("/api/v1/videos/987654321"), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/987654321/stream"), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/abc"), 400, "invalid-request");
    }

    @Test
    void ownerDeletesPublishesAnEventAndRestores() throws Exception {
        byte[] mp4 = TinyMp4.build(1000, 2500, 320, 240, 64);
        long id = json.readTree(
                        upload(11, "Mine", null, "m.mp4", "video/mp4", mp4).body())
                .get("id")
                .asLong();

        assertProblem(send("DELETE", "/api/v1/videos/" + id, 12L), 404, "video-not-found");
        assertThat(get("/api/v1/videos/" + id).statusCode()).isEqualTo(200);
        assertProblem(send("DELETE", "/api/v1/videos/" + id, null), 401, "unauthenticated");

        assertThat(send("DELETE", "/api/v1/videos/" + id, 11L).statusCode()).isEqualTo(204);
        assertProblem(get("/api/v1/videos/" + id), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/" + id + "/stream"), 404, "video-not-found");

        JsonNode deleted = awaitEvent(id, "VideoDeleted");
        assertThat(deleted.get("version").asInt()).isEqualTo(1);
        assertThat(deleted.get("ownerId").asLong()).isEqualTo(11);
        assertThat(deleted.get("objectKey").asString()).isEqualTo("videos/" + id + "/original");
        assertThat(deleted.get("deletedAt").asString()).endsWith("Z");

        JsonNode internal = json.readTree(internal("GET", id, true).body());
        assertThat(internal.get("status").asString()).isEqualTo("DELETED");

        // the owner's own list still shows it (so it can be restored); nobody else's does
        JsonNode mine = json.readTree(
                send("GET", "/api/v1/videos?owner=me&size=100", 11L).body());
        assertThat(mine.get("items")
                        .valueStream()
                        .filter(v -> v.get("id").asLong() == id)
                        .map(v -> v.get("status").asString()))
                .containsExactly("DELETED");
        assertThat(json.readTree(send("GET", "/api/v1/videos?owner=me&size=100", 12L)
                                .body())
                        .get("items")
                        .valueStream()
                        .map(v -> v.get("id").asLong()))
                .doesNotContain(id);
        assertProblem(send("GET", "/api/v1/videos?owner=me", null), 401, "unauthenticated");
        assertProblem(send("GET", "/api/v1/videos?owner=11", 12L), 400, "invalid-request");
        assertThat(internal.get("durationMs").asLong()).isEqualTo(2500);

        assertProblem(send("POST", "/api/v1/videos/" + id + "/restore", 12L), 404, "video-not-found");
        var restored = send("POST", "/api/v1/videos/" + id + "/restore", 11L);
        assertThat(restored.statusCode()).isEqualTo(200);
        assertThat(json.readTree(restored.body()).get("status").asString()).isEqualTo("READY");
        assertThat(awaitEvent(id, "VideoRestored").get("version").asInt()).isEqualTo(1);
        assertThat(get("/api/v1/videos/" + id).statusCode()).isEqualTo(200);
        assertThat(getBytes("/api/v1/videos/" + id + "/stream", Map.of()).body())
                .isEqualTo(mp4);
    }

    @Test
    void internalApiNeedsTheServiceTokenAndPurgesOnlyDeletedVideos() throws Exception {
        byte[] mp4 = TinyMp4.build(600, 1200, 320, 240, 64);
        long id = json.readTree(
                        upload(21, "Purge me", null, "p.mp4", "video/mp4", mp4).body())
                .get("id")
                .asLong();

        assertProblem(internal("GET", id, false), 401, "service-credential-required");
        assertProblem(internal("DELETE", id, false), 401, "service-credential-required");

        JsonNode live = json.readTree(internal("GET", id, true).body());
        assertThat(live.get("id").asLong()).isEqualTo(id);
        assertThat(live.get("ownerId").asLong()).isEqualTo(21);
        assertThat(live.get("durationMs").asLong()).isEqualTo(2000);
        assertThat(live.get("status").asString()).isEqualTo("READY");
        assertProblem(internal("DELETE", id, true), 409, "video-not-deleted");

        assertThat(send("DELETE", "/api/v1/videos/" + id, 21L).statusCode()).isEqualTo(204);
        assertThat(internal("DELETE", id, true).statusCode()).isEqualTo(204);
        assertThat(internal("DELETE", id, true).statusCode()).isEqualTo(204);
        assertProblem(internal("GET", id, true), 404, "video-not-found");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM video WHERE id = ?", Long.class, id))
                .isZero();
    }

    // --- helpers

    private JsonNode awaitEvent(long videoId, String type) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "video-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor("video.events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = json.readTree(record.value());
                    if (event.get("videoId").asLong() == videoId
                            && type.equals(event.get("type").asString())) {
                        assertThat(record.key()).isEqualTo(Long.toString(videoId));
                        return event;
                    }
                }
            }
        }
        throw new AssertionError("no " + type + " event for video " + videoId);
    }

    private long rows() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM video", Long.class);
    }

    private long objects() {
        MinioClient client = infra.s3Client();
        return StreamSupport.stream(
                        client.listObjects(ListObjectsArgs.builder()
                                        .bucket(Infra.BUCKET)
                                        .prefix("videos/")
                                        .recursive(true)
                                        .build())
                                .spliterator(),
                        false)
                .count();
    }

    private void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("SELECT");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> getBytes(String path, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(uri(path));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<String> send(String method, String path, Long userId) throws Exception {
        var request = HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
        if (userId != null) {
            request.header("X-Service-Token", infra.serviceToken()).header("X-User-Id", userId.toString());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> internal(String method, long id, boolean withToken) throws Exception {
        var request = HttpRequest.newBuilder(uri("/internal/v1/videos/" + id))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (withToken) {
            request.header("X-Service-Token", infra.serviceToken());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(
            Integer userId, String title, String description, String filename, String contentType, byte[] file)
            throws Exception {
        var request = multipart(file, title, description, filename, contentType);
        if (userId != null) {
            request.header("X-Service-Token", infra.serviceToken()).header("X-User-Id", userId.toString());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder multipart(
            byte[] file, String title, String description, String filename, String contentType) {
        String boundary = "----barrage" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        field(body, boundary, "title", title);
        if (description != null) {
            field(body, boundary, "description", description);
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                        + "\"\r\nContent-Type: " + contentType + "\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(uri("/api/v1/videos"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    }

    private static void field(ByteArrayOutputStream body, String boundary, String name, String value) {
        body.writeBytes(
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
    }
}
