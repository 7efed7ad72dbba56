package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import tools.jackson.databind.JsonNode;

/**
 * View counts (debounced per viewer, flushed without loss or double counting, anonymous viewers by the
 * address the gateway vouches for) and the hot ranking (decay, deleted videos dropped, purge of every key).
 */
class VideoStatsTest extends VideoCacheTestBase {

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
}
