package io.barrage.scheduler.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.scheduler.ReplicaContext;
import io.barrage.scheduler.ReplicaProperties;
import io.barrage.scheduler.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Several purger replicas over one real MariaDB and S3 store, against stand-ins for video-service and
 * danmaku-service that record every call: races, a replica dying mid-purge, and the dead letter.
 */
class PurgeReplicasTest extends ReplicaContext {

    /** What a replica killed between two steps leaves behind: nothing after this is recorded. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash() {
            super("replica killed");
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    VideoDeletionMapper deletions;

    @Autowired
    DeletionAuditMapper audit;

    @Autowired
    ObjectRemover objects;

    @Autowired
    VideoServiceClient videoService;

    @Autowired
    DanmakuServiceClient danmakuService;

    @Autowired
    SchedulerProperties properties;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    MeterRegistry meters;

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final MinioClient s3 = MinioClient.builder()
            .endpoint(INFRA.s3Endpoint())
            .credentials(INFRA.s3AccessKey(), INFRA.s3SecretKey())
            .build();

    private DeletionPurger replica(String name) {
        return replica(name, danmakuService);
    }

    private DeletionPurger replica(String name, DanmakuServiceClient danmaku) {
        return new DeletionPurger(
                deletions,
                audit,
                objects,
                videoService,
                danmaku,
                properties,
                new ReplicaProperties(name),
                transactions,
                meters);
    }

    @BeforeEach
    void onlyThisTestsDeletionsAreDue() {
        // records other test classes left pending (their stubs are gone) must not be claimed here
        jdbc.update("UPDATE video_deletion SET status = 'CANCELLED' WHERE status = 'PENDING'");
    }

    @Test
    void twoReplicasRacingOverFiftyDueDeletionsPurgeEachExactlyOnce() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(deletedVideo(1500));
        }
        awaitDue(ids);
        SERVICES.deleteDelay(20); // so that the two replicas' work overlaps
        try {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            List<Future<Integer>> runs = new ArrayList<>();
            for (DeletionPurger replica : List.of(replica("replica-a"), replica("replica-b"))) {
                runs.add(pool.submit(drain(replica, ids)));
            }
            for (Future<Integer> run : runs) {
                run.get();
            }
            pool.shutdown();
        } finally {
            SERVICES.deleteDelay(0);
        }

        for (long id : ids) {
            assertThat(status(id)).isEqualTo("DONE");
            assertThat(SERVICES.calls("PURGED " + id))
                    .as("row purges of %d", id)
                    .isEqualTo(1);
            assertThat(SERVICES.calls("DELETE", id))
                    .as("row-delete calls of %d", id)
                    .isEqualTo(1);
            assertThat(SERVICES.danmakuLeft(id)).isZero();
            assertThat(SERVICES.status(id)).isNull();
            assertThat(objectsUnder(id)).as("objects of %d", id).isEmpty();
            List<String> actions =
                    audit.forVideo(id).stream().map(DeletionAudit::getAction).toList();
            assertThat(actions).containsExactly("REQUESTED", "OBJECTS_REMOVED", "DANMAKU_REMOVED", "PURGED");
            Map<String, Object> row = row(id);
            assertThat(((Number) row.get("objects_removed")).intValue()).isEqualTo(2);
            assertThat(((Number) row.get("danmaku_removed")).longValue()).isEqualTo(1500);
        }
        // both replicas did part of the work
        List<String> purgers = jdbc.queryForList(
                "SELECT instance FROM deletion_audit WHERE action = 'PURGED' AND video_id IN ("
                        + String.join(",", ids.stream().map(String::valueOf).toList()) + ")",
                String.class);
        assertThat(purgers).hasSize(50).contains("replica-a", "replica-b");
    }

    @Test
    void aReplicaKilledMidPurgeLeavesWorkTheOtherFinishesOnce() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(deletedVideo(2500));
        }
        awaitDue(ids);
        DeletionPurger victim = replica("victim", (videoId, batch) -> {
            throw new SimulatedCrash();
        });
        try {
            victim.purgeDueBatch();
            throw new AssertionError("the victim should have died");
        } catch (SimulatedCrash expected) {
            // killed after step 1 of its first video, holding claims on the others
        }
        List<Map<String, Object>> left = ids.stream().map(this::row).toList();
        assertThat(left).allSatisfy(row -> {
            assertThat(row.get("status")).isEqualTo("PENDING");
            assertThat((String) row.get("claimed_by")).startsWith("victim#");
        });
        long crashed = left.stream()
                .filter(row -> "DANMAKU".equals(row.get("step")))
                .mapToLong(row -> ((Number) row.get("video_id")).longValue())
                .findFirst()
                .orElseThrow();
        assertThat(objectsUnder(crashed)).isEmpty();
        assertThat(SERVICES.danmakuLeft(crashed)).isEqualTo(2500);

        // the survivor waits out the dead replica's lease, then takes over where it stopped
        DeletionPurger survivor = replica("survivor");
        drain(survivor, ids).call();

        for (long id : ids) {
            assertThat(status(id)).isEqualTo("DONE");
            assertThat(SERVICES.calls("PURGED " + id)).isEqualTo(1);
            assertThat(SERVICES.danmakuLeft(id)).isZero();
            assertThat(objectsUnder(id)).isEmpty();
            assertThat(((Number) row(id).get("objects_removed")).intValue()).isEqualTo(2);
            assertThat(((Number) row(id).get("danmaku_removed")).longValue()).isEqualTo(2500);
        }
        List<DeletionAudit> trail = audit.forVideo(crashed);
        assertThat(trail.stream().map(a -> a.getAction() + " " + a.getInstance()))
                .containsExactly(
                        "REQUESTED null", "OBJECTS_REMOVED victim", "DANMAKU_REMOVED survivor", "PURGED survivor");
    }

    @Test
    void anUnreachableStoreEndsInTheDeadLetterAndARetrySucceedsOnceItIsBack() throws Exception {
        long id = deletedVideo(10);
        awaitDue(List.of(id));
        // this replica reaches the real S3 store through a connection the test can cut and restore
        TcpProxy store = new TcpProxy(URI.create(INFRA.s3Endpoint()).getPort());
        DeletionPurger replica = new DeletionPurger(
                deletions,
                audit,
                new ObjectRemover(
                        "http://127.0.0.1:" + store.port(), INFRA.s3AccessKey(), INFRA.s3SecretKey(), Infra.BUCKET),
                videoService,
                danmakuService,
                properties,
                new ReplicaProperties("replica-c"),
                transactions,
                meters);
        double deadBefore = metric("barrage_scheduler_purge_dead_letters_total");
        store.stop();
        try {
            await(() -> {
                replica.purgeDueBatch();
                return "FAILED".equals(status(id));
            });
            Map<String, Object> row = row(id);
            assertThat(((Number) row.get("attempts")).intValue()).isEqualTo(5);
            assertThat(row.get("step")).isEqualTo("OBJECTS");
            assertThat((String) row.get("last_error")).isNotBlank();
            assertThat(SERVICES.calls("DELETE", id)).isZero();
            assertThat(SERVICES.danmakuLeft(id)).isEqualTo(10);

            JsonNode failed = json.readTree(get("/internal/v1/deletions?status=FAILED&size=500"));
            assertThat(failed.get("items")
                            .valueStream()
                            .map(n -> n.get("videoId").asLong()))
                    .contains(id);
            assertThat(metric("barrage_scheduler_purge_dead_letters_total")).isEqualTo(deadBefore + 1);
            assertThat(metric("barrage_scheduler_purge_failures_total")).isGreaterThanOrEqualTo(5);
        } finally {
            store.start();
        }

        var retry = post("/internal/v1/deletions/" + id + "/retry");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(json.readTree(retry.body()).get("status").asString()).isEqualTo("PENDING");
        assertThat(json.readTree(retry.body()).get("attempts").asInt()).isZero();
        assertThat(post("/internal/v1/deletions/1/retry").statusCode()).isEqualTo(404);

        await(() -> {
            replica.purgeDueBatch();
            return "DONE".equals(status(id));
        });
        assertThat(objectsUnder(id)).isEmpty();
        assertThat(SERVICES.calls("PURGED " + id)).isEqualTo(1);
        store.close();
        List<String> actions =
                audit.forVideo(id).stream().map(DeletionAudit::getAction).toList();
        assertThat(actions)
                .startsWith("REQUESTED", "ATTEMPT_FAILED")
                .endsWith("DEAD_LETTERED", "RETRY_REQUESTED", "OBJECTS_REMOVED", "DANMAKU_REMOVED", "PURGED");
    }

    // --- helpers

    /** A deleted video with two objects and some danmaku, recorded through the intake API. */
    private long deletedVideo(long danmaku) throws Exception {
        long id = ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000);
        put("videos/" + id + "/original");
        put("videos/" + id + "/thumb.jpg");
        SERVICES.status(id, "DELETED");
        SERVICES.danmaku(id, danmaku);
        var created = post(
                "/internal/v1/deletions",
                "{\"videoId\":" + id + ",\"ownerId\":5,\"objectKey\":\"videos/" + id + "/original\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        return id;
    }

    private Callable<Integer> drain(DeletionPurger replica, List<Long> ids) {
        return () -> {
            int claimed = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                int n = replica.purgeDueBatch();
                claimed += n;
                if (n == 0) {
                    if (ids.stream().allMatch(id -> !"PENDING".equals(status(id)))) {
                        return claimed;
                    }
                    Thread.sleep(100);
                }
            }
            throw new AssertionError("not drained within 60 s");
        };
    }

    private void awaitDue(List<Long> ids) throws InterruptedException {
        await(() -> jdbc.queryForObject(
                        "SELECT COUNT(*) FROM video_deletion WHERE due_at <= UTC_TIMESTAMP(3) AND video_id IN ("
                                + String.join(
                                        ",", ids.stream().map(String::valueOf).toList()) + ")",
                        Integer.class)
                == ids.size());
    }

    private void put(String key) throws Exception {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        s3.putObject(PutObjectArgs.builder().bucket(Infra.BUCKET).object(key).stream(
                        new ByteArrayInputStream(bytes), bytes.length, -1)
                .build());
    }

    private List<String> objectsUnder(long id) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Result<Item> item : s3.listObjects(ListObjectsArgs.builder()
                .bucket(Infra.BUCKET)
                .prefix("videos/" + id + "/")
                .recursive(true)
                .build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    private String status(long id) {
        Map<String, Object> row = row(id);
        return row == null ? null : (String) row.get("status");
    }

    private Map<String, Object> row(long id) {
        var rows = jdbc.queryForList("SELECT * FROM video_deletion WHERE video_id = ?", id);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private String get(String path) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("X-Service-Token", INFRA.serviceToken())
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private HttpResponse<String> post(String path) throws Exception {
        return post(path, "");
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

    private double metric(String series) throws Exception {
        return get("/actuator/prometheus")
                .lines()
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
                .findFirst()
                .orElse(0);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("condition not met within 60 s");
    }
}
