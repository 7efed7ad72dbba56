package io.barrage.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// its scheduled purge must not compete with the hand-driven replicas of the other test classes
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeferredDeletionTest {

    private static final Infra INFRA = TestInfra.get();
    private static final VideoServiceStub VIDEO_SERVICE = startStub();
    private static final KafkaProducer<String, String> PRODUCER = producer();

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.SCHEDULER).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("spring.cloud.discovery.client.simple.instances.video-service[0].uri", VIDEO_SERVICE::uri);
        // the same stub answers danmaku-service's and user-service's internal APIs
        registry.add("spring.cloud.discovery.client.simple.instances.danmaku-service[0].uri", VIDEO_SERVICE::uri);
        registry.add("spring.cloud.discovery.client.simple.instances.user-service[0].uri", VIDEO_SERVICE::uri);
        registry.add("barrage.scheduler.jobs.tick", () -> "200ms");
        registry.add("barrage.scheduler.jobs.view-count-flush", () -> "1s");
        registry.add("barrage.scheduler.jobs.hot-ranking-decay", () -> "1s");
        registry.add("barrage.scheduler.jobs.ranking-refresh", () -> "1s");
        registry.add("barrage.scheduler.jobs.upload-cleanup", () -> "1s");
        registry.add("barrage.scheduler.jobs.session-purge", () -> "1s");
        registry.add("barrage.scheduler.grace-period", () -> "1s");
        registry.add("barrage.scheduler.purge-interval", () -> "200ms");
        // A first call that times out on a busy machine is retried within the test's patience.
        registry.add("barrage.scheduler.retry-backoff", () -> "1s");
    }

    @AfterAll
    static void stop() {
        PRODUCER.close();
        VIDEO_SERVICE.stop();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = TestHttp.client();
    private final MinioClient s3 = MinioClient.builder()
            .endpoint(INFRA.s3Endpoint())
            .credentials(INFRA.s3AccessKey(), INFRA.s3SecretKey())
            .build();

    @Test
    @Order(1)
    void dueDeletionRemovesTheObjectThenTheRowExactlyOnce() throws Exception {
        long id = newVideoId();
        String key = putObject(id);
        VIDEO_SERVICE.status(id, "DELETED");

        publish(id, deleted(id, key, Instant.now()));

        await(() -> "DONE".equals(status(id)));
        assertThat(objectExists(key)).isFalse();
        assertThat(VIDEO_SERVICE.calls("DELETE", id)).isEqualTo(1);
        await(() -> metric("barrage_scheduler_job_items_total{job=\"purge\"}") >= 1
                && metric("barrage_scheduler_job_last_success{job=\"purge\"}") > 0);
        assertThat(jdbc.queryForObject(
                        "SELECT purged_at IS NOT NULL FROM video_deletion WHERE video_id = ?", Boolean.class, id))
                .isTrue();

        // a redelivered event changes nothing and purges nothing twice
        publish(id, deleted(id, key, Instant.now()));
        Thread.sleep(1500);
        assertThat(status(id)).isEqualTo("DONE");
        assertThat(VIDEO_SERVICE.calls("DELETE", id)).isEqualTo(1);
        assertThat(VIDEO_SERVICE.calls).doesNotContain("UNAUTHENTICATED");

        JsonNode done = json.readTree(
                internal("/internal/v1/deletions?status=DONE", true).body());
        assertThat(done.get("items").valueStream().map(n -> n.get("videoId").asLong()))
                .contains(id);
    }

    @Test
    @Order(2)
    void restoreBeforeTheDueTimeCancelsAndKeepsTheObject() throws Exception {
        long id = newVideoId();
        String key = putObject(id);
        VIDEO_SERVICE.status(id, "DELETED");

        publish(id, deleted(id, key, Instant.now()));
        VIDEO_SERVICE.status(id, "READY");
        publish(id, "{\"type\":\"VideoRestored\",\"version\":1,\"videoId\":" + id + ",\"ownerId\":5}");

        await(() -> "CANCELLED".equals(status(id)));
        Thread.sleep(2000); // well past the due time
        assertThat(status(id)).isEqualTo("CANCELLED");
        assertThat(objectExists(key)).isTrue();
        assertThat(VIDEO_SERVICE.calls("DELETE", id)).isZero();
    }

    @Test
    @Order(3)
    void unknownEventsAreIgnoredAndTheListNeedsTheServiceToken() throws Exception {
        publish(1, "{\"type\":\"VideoRenamed\",\"version\":1,\"videoId\":1}");
        publish(1, "not json at all");

        var anonymous = internal("/internal/v1/deletions", false);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        assertThat(json.readTree(anonymous.body()).get("code").asString()).isEqualTo("service-credential-required");
        assertThat(internal("/internal/v1/deletions?status=NOPE", true).statusCode())
                .isEqualTo(400);

        // the consumer is still alive after the junk: a later event is handled
        long id = newVideoId();
        String key = putObject(id);
        VIDEO_SERVICE.status(id, "DELETED");
        publish(id, deleted(id, key, Instant.now()));
        await(() -> "DONE".equals(status(id)));
    }

    @Test
    @Order(3)
    void fullPurgeRemovesEveryObjectTheDanmakuInBatchesThenTheRowAndAuditsIt() throws Exception {
        long id = newVideoId();
        String key = putObject(id);
        putObject("videos/" + id + "/720p.mp4");
        putObject("videos/" + id + "/thumb.jpg");
        // a neighbour whose key merely starts with the same digits stays
        String neighbour = putObject("videos/" + id + "0/original");
        VIDEO_SERVICE.status(id, "DELETED");
        VIDEO_SERVICE.danmaku(id, 2500);

        publish(
                id,
                "{\"type\":\"VideoDeleted\",\"version\":1,\"videoId\":" + id + ",\"ownerId\":5,\"deletedBy\":9,"
                        + "\"objectKey\":\"" + key + "\",\"deletedAt\":\"" + Instant.now() + "\"}");

        await(() -> "DONE".equals(status(id)));
        assertThat(objectsUnder("videos/" + id + "/")).isEmpty();
        assertThat(objectExists(neighbour)).isTrue();
        assertThat(VIDEO_SERVICE.danmakuLeft(id)).isZero();
        assertThat(VIDEO_SERVICE.calls.stream().filter(c -> c.startsWith("DANMAKU " + id + " ")))
                .containsExactly(
                        "DANMAKU " + id + " 1000",
                        "DANMAKU " + id + " 1000",
                        "DANMAKU " + id + " 500",
                        "DANMAKU " + id + " 0");
        assertThat(VIDEO_SERVICE.calls("PURGED " + id)).isEqualTo(1);
        // the row goes last: after the danmaku
        assertThat(VIDEO_SERVICE.calls.indexOf("PURGED " + id))
                .isGreaterThan(VIDEO_SERVICE.calls.indexOf("DANMAKU " + id + " 0"));

        JsonNode audit = json.readTree(
                internal("/internal/v1/deletions/" + id + "/audit", true).body());
        JsonNode deletion = audit.get("deletion");
        assertThat(deletion.get("status").asString()).isEqualTo("DONE");
        assertThat(deletion.get("step").asString()).isEqualTo("DONE");
        assertThat(deletion.get("deletedBy").asLong()).isEqualTo(9);
        assertThat(deletion.get("objectsRemoved").asInt()).isEqualTo(3);
        assertThat(deletion.get("danmakuRemoved").asLong()).isEqualTo(2500);
        assertThat(deletion.get("purgedAt").isNull()).isFalse();
        assertThat(audit.get("entries").valueStream().map(e -> e.get("action").asString()))
                .containsExactly("REQUESTED", "OBJECTS_REMOVED", "DANMAKU_REMOVED", "PURGED");
        JsonNode requested = audit.get("entries").get(0);
        assertThat(requested.get("actorId").asLong()).isEqualTo(9);
        JsonNode purged = audit.get("entries").get(3);
        assertThat(purged.get("objectsRemoved").asInt()).isEqualTo(3);
        assertThat(purged.get("danmakuRemoved").asLong()).isEqualTo(2500);
        assertThat(internal("/internal/v1/deletions/1/audit", true).statusCode())
                .isEqualTo(404);
    }

    @Test
    @Order(3)
    void theIntakeApiRecordsADeletionOnceAndItIsPurgedLikeAnEvent() throws Exception {
        long id = newVideoId();
        String key = putObject(id);
        VIDEO_SERVICE.status(id, "DELETED");
        String body = "{\"videoId\":" + id + ",\"ownerId\":5,\"objectKey\":\"" + key + "\",\"deletedBy\":7}";

        var first = post("/internal/v1/deletions", body);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(json.readTree(first.body()).get("status").asString()).isEqualTo("PENDING");
        var again = post("/internal/v1/deletions", body);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json.readTree(again.body()).get("requestedAt").asString())
                .isEqualTo(json.readTree(first.body()).get("requestedAt").asString());

        var invalid = post("/internal/v1/deletions", "{\"videoId\":" + id + ",\"ownerId\":5}");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json.readTree(invalid.body()).get("code").asString()).isEqualTo("invalid-request");
        var foreignKey = post(
                "/internal/v1/deletions",
                "{\"videoId\":" + id + ",\"ownerId\":5,\"objectKey\":\"videos/" + (id + 1) + "/original\"}");
        assertThat(foreignKey.statusCode()).isEqualTo(400);
        assertThat(json.readTree(foreignKey.body()).get("code").asString()).isEqualTo("invalid-request");
        var malformed = post("/internal/v1/deletions", "{nope");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json.readTree(malformed.body()).get("code").asString()).isEqualTo("malformed-json");

        await(() -> "DONE".equals(status(id)));
        assertThat(objectExists(key)).isFalse();
        assertThat(VIDEO_SERVICE.calls("PURGED " + id)).isEqualTo(1);
        JsonNode audit = json.readTree(
                internal("/internal/v1/deletions/" + id + "/audit", true).body());
        assertThat(audit.get("entries").get(0).get("action").asString()).isEqualTo("REQUESTED");
        assertThat(audit.get("entries").get(0).get("actorId").asLong()).isEqualTo(7);
        var retry = post("/internal/v1/deletions/" + id + "/retry", "");
        assertThat(retry.statusCode()).isEqualTo(409);
        assertThat(json.readTree(retry.body()).get("code").asString()).isEqualTo("deletion-not-failed");
    }

    @Test
    @Order(3)
    void periodicJobsCallTheirOwnersAndReportMetrics() throws Exception {
        String[] jobs = {"view-count-flush", "hot-ranking-decay", "ranking-refresh", "upload-cleanup", "session-purge"};
        // another test class's context may have taken these jobs' leases for its own (longer) periods
        jdbc.update("UPDATE job_lease SET lease_until = UTC_TIMESTAMP(3)");
        await(() -> java.util.Arrays.stream(jobs)
                .allMatch(job -> VIDEO_SERVICE.calls("JOB " + job) >= 1
                        && metric("barrage_scheduler_job_last_success{job=\"" + job + "\"}") > 0
                        && metric("barrage_scheduler_job_items_total{job=\"" + job + "\"}") >= 3));
        JsonNode list = json.readTree(internal("/internal/v1/jobs", true).body());
        assertThat(list.get("items").valueStream().map(j -> j.get("name").asString()))
                .contains(jobs);
        assertThat(list.get("items")
                        .valueStream()
                        .filter(j -> j.get("name").asString().equals("session-purge"))
                        .findFirst()
                        .orElseThrow()
                        .get("lastItems")
                        .asLong())
                .isEqualTo(3);
        assertThat(internal("/internal/v1/jobs", false).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void videoServiceDownKeepsTheRecordPendingWithTheErrorAndTheObject() throws Exception {
        VIDEO_SERVICE.stop();
        long id = newVideoId();
        String key = putObject(id);

        publish(id, deleted(id, key, Instant.now()));

        await(() -> {
            Map<String, Object> row = row(id);
            return row != null && ((Number) row.get("attempts")).intValue() > 0;
        });
        Map<String, Object> row = row(id);
        assertThat(row.get("status")).isEqualTo("PENDING");
        assertThat((String) row.get("last_error")).isNotBlank();
        assertThat(objectExists(key)).isTrue();
        // what the purge-failure alert watches
        assertThat(metric("barrage_scheduler_purge_failures_total")).isGreaterThanOrEqualTo(1);
    }

    /** One sample from /actuator/prometheus, by its name and labels as printed; -1 when absent. */
    private double metric(String series) {
        String body;
        try {
            body = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return body.lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElse(-1);
    }

    // --- helpers

    private static VideoServiceStub startStub() {
        try {
            return new VideoServiceStub(INFRA.serviceToken());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, INFRA.kafkaBootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }

    private static long newVideoId() {
        return ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000);
    }

    private static String deleted(long id, String key, Instant at) {
        return "{\"type\":\"VideoDeleted\",\"version\":1,\"videoId\":" + id + ",\"ownerId\":5,\"objectKey\":\"" + key
                + "\",\"deletedAt\":\"" + at + "\"}";
    }

    private static void publish(long key, String value) throws Exception {
        PRODUCER.send(new ProducerRecord<>("video.events", Long.toString(key), value))
                .get();
    }

    private String putObject(long id) throws Exception {
        return putObject("videos/" + id + "/original");
    }

    private java.util.List<String> objectsUnder(String prefix) throws Exception {
        var keys = new java.util.ArrayList<String>();
        for (var item : s3.listObjects(io.minio.ListObjectsArgs.builder()
                .bucket(Infra.BUCKET)
                .prefix(prefix)
                .recursive(true)
                .build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("X-Service-Token", INFRA.serviceToken())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String putObject(String key) throws Exception {
        byte[] bytes = ("bytes of " + key).getBytes(StandardCharsets.UTF_8);
        s3.putObject(PutObjectArgs.builder().bucket(Infra.BUCKET).object(key).stream(
                        new ByteArrayInputStream(bytes), bytes.length, -1)
                .build());
        assertThat(objectExists(key)).isTrue();
        return key;
    }

    private boolean objectExists(String key) throws Exception {
        try {
            s3.statObject(
                    StatObjectArgs.builder().bucket(Infra.BUCKET).object(key).build());
            return true;
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return false;
            }
            throw e;
        }
    }

    private String status(long id) {
        Map<String, Object> row = row(id);
        return row == null ? null : (String) row.get("status");
    }

    private Map<String, Object> row(long id) {
        var rows = jdbc.queryForList("SELECT * FROM video_deletion WHERE video_id = ?", id);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private HttpResponse<String> internal(String path, boolean withToken) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (withToken) {
            request.header("X-Service-Token", INFRA.serviceToken());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 30 s");
    }
}
