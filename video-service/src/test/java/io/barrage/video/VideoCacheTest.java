package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Metadata caching (cache-aside, null entries, jittered TTLs, delete after write), edits, list and search,
 * and everything served from the database while Redis is down.
 */
class VideoCacheTest extends VideoCacheTestBase {

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
}
