package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Metadata caching, edits, search, view counts and the hot ranking, against real Redis and MariaDB. The
 * cache techniques are shown by counting the SQL statements MyBatis sends ({@code barrage.video.db.queries}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VideoCacheTest {

    private static final Duration SECOND_DELETE = Duration.ofMillis(200);

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

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Infra infra = TestInfra.get();

    // --- cache-aside

    @Test
    void fiveHundredConcurrentReadsOfAColdKeyCauseOneQuery() throws Exception {
        long id = uploadSettled(31, "Cold and popular");
        redis.delete("video:meta:" + id);

        double before = selects();
        int readers = 500;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < readers; i++) {
                responses.add(pool.submit(() -> {
                    start.await();
                    return get("/api/v1/videos/" + id);
                }));
            }
            start.countDown();
            for (Future<HttpResponse<String>> response : responses) {
                HttpResponse<String> r = response.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(json.readTree(r.body()).get("title").asString()).isEqualTo("Cold and popular");
            }
        }
        assertThat(selects() - before).isEqualTo(1);
        // and now it is warm
        assertThat(get("/api/v1/videos/" + id).statusCode()).isEqualTo(200);
        assertThat(selects() - before).isEqualTo(1);
    }

    @Test
    void unknownIdsNeverReachTheDatabase() throws Exception {
        double before = selects();
        for (int i = 0; i < 1000; i++) {
            long unknown = ThreadLocalRandom.current().nextLong(1_000_000_000_000L, 2_000_000_000_000L);
            var response = get("/api/v1/videos/" + unknown);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(json.readTree(response.body()).get("code").asString()).isEqualTo("video-not-found");
        }
        assertThat(selects() - before).isZero();

        // an id that existed passes the Bloom filter; its null entry answers after the first miss
        long id = uploadSettled(32, "Here and gone");
        assertThat(send("DELETE", "/api/v1/videos/" + id, 32L, null, null).statusCode())
                .isEqualTo(204);
        assertThat(internal("DELETE", "/internal/v1/videos/" + id).statusCode()).isEqualTo(204);
        await(() -> cache.secondDeletesDue() == 0); // the purge's delayed second delete has run
        before = selects();
        for (int i = 0; i < 50; i++) {
            assertThat(get("/api/v1/videos/" + id).statusCode()).isEqualTo(404);
        }
        assertThat(selects() - before).isLessThanOrEqualTo(1);
        assertThat(redis.opsForValue().get("video:meta:" + id)).isEqualTo("-");
    }

    @Test
    void cacheTtlsAreJittered() throws Exception {
        Set<Long> ttls = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            long id = uploadSettled(33, "Jitter " + i);
            assertThat(get("/api/v1/videos/" + id).statusCode()).isEqualTo(200);
            Long ttl = redis.getExpire("video:meta:" + id, java.util.concurrent.TimeUnit.MILLISECONDS);
            // 30 min ± 20 %
            assertThat(ttl)
                    .isBetween(
                            Duration.ofMinutes(24).toMillis() - 5000,
                            Duration.ofMinutes(36).toMillis());
            ttls.add(ttl / 1000);
        }
        assertThat(ttls).hasSizeGreaterThan(1);
    }

    @Test
    void aReadRightAfterAnEditNeverReturnsTheOldTitle() throws Exception {
        long id = uploadSettled(34, "Edition 0");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            // readers keep the key hot and racing with every edit
            for (int r = 0; r < 4; r++) {
                readers.submit(() -> {
                    try {
                        while (!stop.get()) {
                            get("/api/v1/videos/" + id);
                        }
                    } catch (Exception e) {
                        readerFailure.set(e);
                    }
                    return null;
                });
            }
            String etag =
                    get("/api/v1/videos/" + id).headers().firstValue("ETag").orElseThrow();
            for (int i = 1; i <= 20; i++) {
                var edited = patch(id, 34L, etag, Map.of("title", "Edition " + i));
                assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
                etag = edited.headers().firstValue("ETag").orElseThrow();
                var read = get("/api/v1/videos/" + id);
                assertThat(json.readTree(read.body()).get("title").asString()).isEqualTo("Edition " + i);
                assertThat(read.headers().firstValue("ETag")).hasValue(etag);
            }
            stop.set(true);
        }
        assertThat(readerFailure.get()).isNull();
    }

    // --- edits

    @Test
    void editsNeedTheOwnerAndTheCurrentVersion() throws Exception {
        long id = uploadSettled(35, "Original");
        var read = get("/api/v1/videos/" + id);
        String etag = read.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"\\d+\"");

        assertProblem(patch(id, 35L, null, Map.of("title", "No precondition")), 428, "precondition-required");
        assertProblem(patch(id, 36L, etag, Map.of("title", "Not mine")), 404, "video-not-found");
        assertProblem(patch(id, null, etag, Map.of("title", "Anonymous")), 401, "unauthenticated");
        assertProblem(patch(id, 35L, etag, Map.of("title", " ")), 400, "invalid-title");
        assertProblem(patch(id, 35L, etag, Map.of("title", "a\u2066b")), 400, "invalid-title");
        assertProblem(patch(id, 35L, etag, Map.of("description", "x\uFFFE")), 400, "invalid-description");
        assertProblem(patch(id, 35L, etag, Map.of()), 400, "invalid-request");
        assertProblem(patch(987_654_321L, 35L, etag, Map.of("title", "Nothing")), 404, "video-not-found");

        var edited = patch(id, 35L, etag, Map.of("title", "Renamed", "description", "now described"));
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        JsonNode body = json.readTree(edited.body());
        assertThat(body.get("title").asString()).isEqualTo("Renamed");
        assertThat(body.get("description").asString()).isEqualTo("now described");
        assertThat(body.get("ownerId").asLong()).isEqualTo(35);
        assertThat(edited.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);

        // the version the client read is gone: its edit would overwrite one it never saw
        assertProblem(patch(id, 35L, etag, Map.of("title", "Stale")), 412, "version-mismatch");
        assertThat(json.readTree(get("/api/v1/videos/" + id).body())
                        .get("title")
                        .asString())
                .isEqualTo("Renamed");
        assertThat(jdbc.queryForObject("SELECT title FROM video WHERE id = ?", String.class, id))
                .isEqualTo("Renamed");
    }

    @Test
    void ofTwoConcurrentEditsFromTheSameVersionExactlyOneWins() throws Exception {
        for (int round = 0; round < 5; round++) {
            long id = uploadSettled(37, "Contested");
            String etag =
                    get("/api/v1/videos/" + id).headers().firstValue("ETag").orElseThrow();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> edits = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String title : List.of("Alice's title", "Bob's title")) {
                    edits.add(pool.submit(() -> {
                        start.await();
                        return patch(id, 37L, etag, Map.of("title", title));
                    }));
                }
                start.countDown();
                List<Integer> statuses = new ArrayList<>();
                String winner = null;
                for (var edit : edits) {
                    var response = edit.get();
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 200) {
                        winner = json.readTree(response.body()).get("title").asString();
                    } else {
                        assertProblem(response, 412, "version-mismatch");
                    }
                }
                assertThat(statuses).containsExactlyInAnyOrder(200, 412);
                assertThat(json.readTree(get("/api/v1/videos/" + id).body())
                                .get("title")
                                .asString())
                        .isEqualTo(winner);
            }
        }
    }

    // --- list and search

    @Test
    void listSortsAndSearchesReadyVideosOnly() throws Exception {
        String word = "zq" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        long banana = uploadSettled(38, "Banana " + word + " clip");
        long apple = uploadSettled(38, "Apple " + word + " clip");
        long cherry = uploadSettled(38, "Cherry " + word + " clip");
        long deleted = uploadSettled(38, "Deleted " + word + " clip");
        assertThat(send("DELETE", "/api/v1/videos/" + deleted, 38L, null, null).statusCode())
                .isEqualTo(204);

        // a word prefix is enough
        JsonNode found = json.readTree(
                get("/api/v1/videos?q=" + word.substring(0, 8) + "&sort=title").body());
        assertThat(found.get("total").asLong()).isEqualTo(3);
        assertThat(ids(found)).containsExactly(apple, banana, cherry);

        JsonNode newest =
                json.readTree(get("/api/v1/videos?q=" + word + "&size=2").body());
        assertThat(ids(newest)).containsExactly(cherry, apple);
        assertThat(newest.get("total").asLong()).isEqualTo(3);
        JsonNode second =
                json.readTree(get("/api/v1/videos?q=" + word + "&size=2&page=1").body());
        assertThat(ids(second)).containsExactly(banana);

        // two words: both must match
        assertThat(json.readTree(get("/api/v1/videos?q=cherry+" + word).body())
                        .get("total")
                        .asLong())
                .isEqualTo(1);

        assertThat(view(banana, 1L)).isTrue();
        assertThat(view(banana, 2L)).isTrue();
        assertThat(view(cherry, 1L)).isTrue();
        flush();
        JsonNode byViews =
                json.readTree(get("/api/v1/videos?q=" + word + "&sort=views").body());
        assertThat(ids(byViews)).containsExactly(banana, cherry, apple);
        assertThat(byViews.get("items").get(0).get("views").asLong()).isEqualTo(2);

        assertProblem(get("/api/v1/videos?sort=rating"), 400, "invalid-request");
        assertProblem(get("/api/v1/videos?q=ab"), 400, "query-too-short");
        assertProblem(get("/api/v1/videos?q=%2B%2B*"), 400, "query-too-short");
        // bytes that are not text are the client's fault, never a 500: NUL, invalid or truncated UTF-8,
        // non-characters, and the same in other parameters
        for (String bad : List.of(
                "q=" + word + "%00",
                "q=%00",
                "q=%FF",
                "q=" + word + "%FF",
                "q=%C3",
                "q=%C3%28abc",
                "q=abc%EF%BF%BF",
                "q=%ED%A0%80abc",
                "sort=%FF",
                "owner=%FF",
                "page=%FF",
                "%FF=1")) {
            assertProblem(get("/api/v1/videos?" + bad), 400, "invalid-request");
        }
        // huge, negative or unknown values of the other parameters (an empty one takes its default)
        for (String bad : List.of(
                "page=-1",
                "page=99999999999",
                "size=0",
                "size=-5",
                "size=101",
                "size=99999999999",
                "page=abc",
                "sort=%00",
                "owner=someone")) {
            assertProblem(get("/api/v1/videos?" + bad), 400, "invalid-request");
        }
        assertThat(json.readTree(
                                get("/api/v1/videos?q=" + word + "+%2Bmissing*").body())
                        .get("total")
                        .asLong())
                .isZero();
    }

    // --- views

    /**
     * Through the gateway every anonymous request comes from the gateway's address; the viewer is the
     * address the gateway vouches for (X-Client-Ip next to the service token). Without the token that
     * header proves nothing, and forwarded headers never count.
     */
    @Test
    void anonymousViewersAreCountedByTheAddressTheGatewayVouchesFor() throws Exception {
        long id = uploadSettled(41, "Watched anonymously");
        assertThat(anonymousView(id, true, "X-Client-Ip", "203.0.113.1")).isTrue();
        assertThat(anonymousView(id, true, "X-Client-Ip", "203.0.113.2")).isTrue();
        assertThat(anonymousView(id, true, "X-Client-Ip", "203.0.113.1")).isFalse(); // a reload
        assertThat(views(id)).isEqualTo(2);
        // not vouched for: the peer's address (this test's), whatever the headers say
        assertThat(anonymousView(id, false, "X-Client-Ip", "203.0.113.3")).isTrue();
        assertThat(anonymousView(id, false, "X-Client-Ip", "203.0.113.4")).isFalse();
        assertThat(anonymousView(id, false, "X-Forwarded-For", "203.0.113.5")).isFalse();
        assertThat(anonymousView(id, true, "X-Forwarded-For", "203.0.113.6")).isFalse();
        assertThat(anonymousView(id, false, "Forwarded", "for=203.0.113.7")).isFalse();
        assertThat(views(id)).isEqualTo(3);
    }

    @Test
    void viewsAreDebouncedPerViewerAndFlushedWithoutLossOrDoubleCounting() throws Exception {
        long id = uploadSettled(40, "Watched");
        assertThat(view(id, 1L)).isTrue();
        assertThat(view(id, 1L)).isFalse(); // a reload
        assertThat(view(id, 2L)).isTrue();
        assertThat(view(id, null)).isTrue(); // anonymous, by address
        assertThat(view(id, null)).isFalse();
        assertThat(views(id)).isEqualTo(3); // all still in Redis
        assertProblem(send("POST", "/api/v1/videos/987654321/views", null, null, null), 404, "video-not-found");

        JsonNode flushed = flush();
        assertThat(flushed.get("items").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(dbViews(id)).isEqualTo(3);
        assertThat(views(id)).isEqualTo(3);
        assertThat(flush().get("items").asLong()).isZero();

        // a flush that fails half-way loses nothing: a delta MariaDB refuses (BIGINT overflow) rolls back the
        // whole transaction, and the snapshot stays for the next run
        long other = uploadSettled(40, "Watched too");
        assertThat(view(other, 1L)).isTrue();
        flush();
        assertThat(view(id, 3L)).isTrue();
        assertThat(view(id, 4L)).isTrue();
        redis.opsForHash().put("video:views:pending", Long.toString(other), Long.toString(Long.MAX_VALUE));
        assertProblem(internal("POST", "/internal/v1/jobs/view-count-flush"), 503, "database-unavailable");
        assertThat(dbViews(id)).isEqualTo(3);
        assertThat(redis.opsForHash().get("video:views:flushing", Long.toString(id)))
                .isEqualTo("2");
        assertThat(views(id)).isEqualTo(5); // MariaDB's 3 and the snapshot's 2
        // the operator removes the poison; the next run applies the leftover snapshot first, then new views
        redis.opsForHash().delete("video:views:flushing", Long.toString(other));
        assertThat(view(id, 5L)).isTrue();
        assertThat(views(id)).isEqualTo(6);
        flush();
        assertThat(dbViews(id)).isEqualTo(6);
        assertThat(dbViews(other)).isEqualTo(1);
        assertThat(redis.hasKey("video:views:flushing")).isFalse();
        assertThat(views(id)).isEqualTo(6);

        // a crash after the commit but before the snapshot was removed: the retry must not count again
        String applied = jdbc.queryForObject(
                "SELECT flush_id FROM video_view_flush ORDER BY applied_at DESC LIMIT 1", String.class);
        redis.opsForHash().putAll("video:views:flushing", Map.of(Long.toString(id), "1", "#flush", applied));
        flush();
        assertThat(dbViews(id)).isEqualTo(6);
        assertThat(redis.hasKey("video:views:flushing")).isFalse();

        // two callers at once: each view is applied exactly once
        for (long viewer = 10; viewer < 20; viewer++) {
            assertThat(view(id, viewer)).isTrue();
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var a = pool.submit(() -> internal("POST", "/internal/v1/jobs/view-count-flush"));
            var b = pool.submit(() -> internal("POST", "/internal/v1/jobs/view-count-flush"));
            assertThat(a.get().statusCode()).isEqualTo(200);
            assertThat(b.get().statusCode()).isEqualTo(200);
        }
        assertThat(dbViews(id)).isEqualTo(16);
        assertThat(views(id)).isEqualTo(16);
    }

    // --- ranking, jobs and purge

    @Test
    void hotRankingDecaysDropsDeletedVideosAndPurgeRemovesEveryKey() throws Exception {
        long hot = uploadSettled(41, "Hot");
        long warm = uploadSettled(41, "Warm");
        for (long viewer = 100; viewer < 104; viewer++) {
            view(hot, viewer);
        }
        view(warm, 100L);
        List<Long> ranked =
                ids(json.readTree(get("/api/v1/videos/hot?limit=100").body()));
        assertThat(ranked).contains(hot, warm);
        assertThat(ranked.indexOf(hot)).isLessThan(ranked.indexOf(warm));
        JsonNode first =
                json.readTree(get("/api/v1/videos/hot?limit=100").body()).get("items");
        assertThat(first.get(ranked.indexOf(hot)).get("views").asLong()).isEqualTo(4);
        assertProblem(get("/api/v1/videos/hot?limit=0"), 400, "invalid-request");

        // one half-life since the last decay: every score halves, however many callers ask at once
        long redisNow = redis.execute(
                new DefaultRedisScript<>("local t = redis.call('TIME') return tonumber(t[1]) * 1000", Long.class),
                List.of());
        redis.opsForValue()
                .set(
                        "video:hot:decayed-at",
                        Long.toString(redisNow - Duration.ofHours(6).toMillis()));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var a = pool.submit(() -> internal("POST", "/internal/v1/jobs/hot-ranking-decay"));
            var b = pool.submit(() -> internal("POST", "/internal/v1/jobs/hot-ranking-decay"));
            for (var response : List.of(a.get(), b.get())) {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(json.readTree(response.body()).get("items").asLong()).isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(redis.opsForZSet().score("video:hot", Long.toString(hot))).isCloseTo(2.0, within(0.05));
        assertThat(redis.opsForZSet().score("video:hot", Long.toString(warm))).isCloseTo(0.5, within(0.02));

        // a deleted video leaves the ranking
        assertThat(send("DELETE", "/api/v1/videos/" + hot, 41L, null, null).statusCode())
                .isEqualTo(204);
        assertThat(ids(json.readTree(get("/api/v1/videos/hot?limit=100").body())))
                .doesNotContain(hot)
                .contains(warm);
        redis.opsForZSet().add("video:hot", "987654321", 50); // a member whose video never finished
        var refreshed = internal("POST", "/internal/v1/jobs/ranking-refresh");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(json.readTree(refreshed.body()).get("items").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(redis.opsForZSet().score("video:hot", "987654321")).isNull();
        assertThat(redis.opsForZSet().score("video:hot", Long.toString(warm))).isNotNull();

        // purge: every Redis key of the video goes, then the row
        view(warm, 101L);
        get("/api/v1/videos/" + warm);
        assertThat(send("DELETE", "/api/v1/videos/" + warm, 41L, null, null).statusCode())
                .isEqualTo(204);
        redis.opsForZSet().add("video:hot", Long.toString(warm), 1);
        redis.opsForValue().set("video:meta:" + warm, "{\"id\":" + warm + ",\"status\":\"DELETED\"}");
        assertThat(internal("DELETE", "/internal/v1/videos/" + warm).statusCode())
                .isEqualTo(204);
        assertThat(redis.hasKey("video:meta:" + warm)).isFalse();
        assertThat(redis.opsForHash().hasKey("video:views:pending", Long.toString(warm)))
                .isFalse();
        assertThat(redis.opsForZSet().score("video:hot", Long.toString(warm))).isNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM video WHERE id = ?", Long.class, warm))
                .isZero();

        for (String job : List.of("view-count-flush", "hot-ranking-decay", "ranking-refresh")) {
            var anonymous = http.send(
                    HttpRequest.newBuilder(uri("/internal/v1/jobs/" + job))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(anonymous, 401, "service-credential-required");
        }
    }

    // --- Redis down

    @Test
    void withRedisDownEverythingIsServedFromTheDatabase() throws Exception {
        long id = uploadSettled(42, "Survivor");
        String etag = get("/api/v1/videos/" + id).headers().firstValue("ETag").orElseThrow();
        infra.stopRedis();
        try {
            var read = get("/api/v1/videos/" + id);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(json.readTree(read.body()).get("title").asString()).isEqualTo("Survivor");
            assertProblem(get("/api/v1/videos/987654321"), 404, "video-not-found");
            var edited = patch(id, 42L, etag, Map.of("title", "Survivor, edited"));
            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            assertThat(json.readTree(get("/api/v1/videos/" + id).body())
                            .get("title")
                            .asString())
                    .isEqualTo("Survivor, edited");
            assertThat(get("/api/v1/videos?size=5").statusCode()).isEqualTo(200);
            assertThat(get("/api/v1/videos/hot").statusCode()).isEqualTo(200);
            assertThat(view(id, 1L)).isFalse(); // not counted, but the player is not failed
            assertThat(get("/api/v1/videos/" + id + "/stream").statusCode()).isEqualTo(200);
            assertProblem(internal("POST", "/internal/v1/jobs/view-count-flush"), 503, "redis-unavailable");
        } finally {
            infra.startRedis();
        }
        // the cached copy from before the outage is dropped once Redis is back
        await(() -> {
            var read = get("/api/v1/videos/" + id);
            return read.statusCode() == 200
                    && json.readTree(read.body()).get("title").asString().equals("Survivor, edited")
                    && redis.hasKey("video:meta:" + id);
        });
    }

    // --- helpers

    private static org.assertj.core.data.Offset<Double> within(double offset) {
        return org.assertj.core.data.Offset.offset(offset);
    }

    private double selects() {
        Counter counter =
                meters.find("barrage.video.db.queries").tag("kind", "select").counter();
        return counter == null ? 0 : counter.count();
    }

    private long dbViews(long id) {
        return jdbc.queryForObject("SELECT views FROM video WHERE id = ?", Long.class, id);
    }

    private long views(long id) throws Exception {
        return json.readTree(get("/api/v1/videos/" + id).body()).get("views").asLong();
    }

    private boolean view(long id, Long userId) throws Exception {
        var response = send("POST", "/api/v1/videos/" + id + "/views", userId, null, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("videoId").asLong()).isEqualTo(id);
        return body.get("counted").asBoolean();
    }

    private boolean anonymousView(long id, boolean viaGateway, String header, String value) throws Exception {
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

    private JsonNode flush() throws Exception {
        var response = internal("POST", "/internal/v1/jobs/view-count-flush");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static List<Long> ids(JsonNode page) {
        List<Long> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asLong()));
        return ids;
    }

    private static void await(Callable<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!holds(condition)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(100);
        }
    }

    private static boolean holds(Callable<Boolean> condition) {
        try {
            return condition.call();
        } catch (Exception e) {
            return false;
        }
    }

    /** Uploads a READY video and waits out the delayed second delete its writes scheduled. */
    private long uploadSettled(long owner, String title) throws Exception {
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

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> patch(long id, Long userId, String ifMatch, Map<String, String> changes)
            throws Exception {
        return send("PATCH", "/api/v1/videos/" + id, userId, ifMatch, json.writeValueAsString(changes));
    }

    private HttpResponse<String> send(String method, String path, Long userId, String ifMatch, String jsonBody)
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

    private HttpResponse<String> internal(String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .header("X-Service-Token", infra.serviceToken())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("SELECT");
    }
}
