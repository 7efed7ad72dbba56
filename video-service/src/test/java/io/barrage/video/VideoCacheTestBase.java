package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.barrage.video.catalog.VideoCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Video-service against real Redis and MariaDB, with the cache techniques shown by counting the SQL
 * statements MyBatis sends ({@code barrage.video.db.queries}). The scenarios are split by feature ({@link
 * VideoCacheTest}: metadata caching, edits, search and Redis down; {@link VideoStatsTest}: view counts and
 * the hot ranking) and share one context and these helpers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class VideoCacheTestBase {

    static final Duration SECOND_DELETE = Duration.ofMillis(200);

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        // the catalogue and the original's streaming, with hand-built MP4s nothing can decode: no ladder
        // (transcoding is covered by TranscodeTest), and no worker to take TranscodeTest's jobs
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.cache.second-delete", SECOND_DELETE::toString);
        // the shared test machine can be slow: a Redis command timing out would fall back to MariaDB and
        // spoil the query counts
        registry.add("spring.data.redis.timeout", () -> "5s");
        registry.add("spring.data.redis.connect-timeout", () -> "5s");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    MeterRegistry meters;

    @Autowired
    VideoCache cache;

    final HttpClient http = TestHttp.client();
    final JsonMapper json = JsonMapper.builder().build();
    final Infra infra = TestInfra.get();

    // --- helpers

    static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }

    double selects() {
        Counter counter =
                meters.find("barrage.video.db.queries").tag("kind", "select").counter();
        return counter == null ? 0 : counter.count();
    }

    long dbViews(long id) {
        return jdbc.queryForObject("SELECT views FROM video WHERE id = ?", Long.class, id);
    }

    long views(long id) throws Exception {
        return json.readTree(get("/api/v1/videos/" + id).body()).get("views").asLong();
    }

    boolean view(long id, Long userId) throws Exception {
        var response = send("POST", "/api/v1/videos/" + id + "/views", userId, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("videoId").asLong()).isEqualTo(id);
        return body.get("counted").asBoolean();
    }

    boolean anonymousView(long id, boolean viaGateway, String header, String value) throws Exception {
        var request = HttpRequest.newBuilder(uri("/api/v1/videos/" + id + "/views"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header(header, value);
        if (viaGateway) {
            request.header("X-Service-Token", infra.serviceToken());
        }
        var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body()).get("counted").asBoolean();
    }

    JsonNode flush() throws Exception {
        var response = internal("POST", "/internal/v1/jobs/view-count-flush");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asLong()));
        return ids;
    }

    static void await(Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(100);
        }
    }

    static boolean holds(Callable<Boolean> condition) {
        try {
            return condition.call();
        } catch (Exception e) {
            return false;
        }
    }

    /** Uploads a READY video and waits out the delayed second delete its writes scheduled. */
    long uploadSettled(long owner, String title) throws Exception {
        byte[] mp4 = TinyMp4.build(1000, 4000, 320, 240, 256);
        String boundary = "----barrage" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\nContent-Type: video/mp4\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(mp4);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var response = http.send(
                HttpRequest.newBuilder(uri("/api/v1/videos"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .header("X-Service-Token", infra.serviceToken())
                        .header("X-User-Id", Long.toString(owner))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        await(() -> cache.secondDeletesDue() == 0);
        return json.readTree(response.body()).get("id").asLong();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> patch(long id, Long userId, String ifMatch, Map<String, String> changes) throws Exception {
        return send("PATCH", "/api/v1/videos/" + id, userId, ifMatch, json.writeValueAsString(changes));
    }

    HttpResponse<String> send(String method, String path, Long userId, String ifMatch, String jsonBody)
            throws Exception {
        var request = HttpRequest.newBuilder(uri(path))
                .method(
                        method,
                        jsonBody == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(jsonBody));
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        if (userId != null) {
            request.header("X-Service-Token", infra.serviceToken()).header("X-User-Id", userId.toString());
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> internal(String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .header("X-Service-Token", infra.serviceToken())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("SELECT");
    }
}
