package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/** Segments, and how often history reaches MySQL (counted per mapper statement). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryCacheTest extends DanmakuTestBase {

    private static final long VIDEO = 30;

    @Autowired
    StringRedisTemplate redis;

    @Test
    @Order(1)
    void segmentsAreSixMinutesAndWindowsAreServedFromThem() throws Exception {
        send(VIDEO, 1100, 2_000);
        send(VIDEO, 1101, 370_000); // segment 1
        send(VIDEO, 1102, 1_000);
        send(VIDEO, 1103, 359_999); // last ms of segment 0
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", VIDEO) == 4);

        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=0")))
                .containsExactly(1_000L, 2_000L, 359_999L);
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=1"))).containsExactly(370_000L);
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=2"))).isEmpty();
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?fromMs=1500&toMs=370000")))
                .containsExactly(2_000L, 359_999L, 370_000L);
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku")))
                .containsExactly(1_000L, 2_000L, 359_999L, 370_000L);
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?limit=2"))).containsExactly(1_000L, 2_000L);
        assertProblem(get("/api/v1/videos/30/danmaku?segment=-1"), 400, "invalid-request");
        assertProblem(get("/api/v1/videos/30/danmaku?segment=x"), 400, "invalid-request");
    }

    @Test
    @Order(2)
    void tenConcurrentMissesMakeOneQueryAndAHitMakesNone() throws Exception {
        redis.delete("danmaku:seg:30:0");
        double before = statements("DanmakuMapper.segment");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JsonNode>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return getJson("/api/v1/videos/30/danmaku?segment=0");
                }));
            }
            start.countDown();
            for (Future<JsonNode> answer : answers) {
                assertThat(playbackOf(answer.get())).containsExactly(1_000L, 2_000L, 359_999L);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(statements("DanmakuMapper.segment") - before).isEqualTo(1);

        double beforeHit = statements("DanmakuMapper.segment");
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=0"))).hasSize(3);
        assertThat(statements("DanmakuMapper.segment")).isEqualTo(beforeHit);
        // The TTL is set, and jittered around 10 minutes.
        assertThat(redis.getExpire("danmaku:seg:30:0")).isBetween(530L, 660L);
    }

    @Test
    @Order(3)
    void anUnknownVideoIsNotFoundWithoutReachingMySql() throws Exception {
        double before = allStatements();
        for (int i = 0; i < 20; i++) {
            assertProblem(get("/api/v1/videos/987654/danmaku"), 404, "video-not-found");
            assertProblem(get("/api/v1/videos/987655/danmaku?segment=" + i), 404, "video-not-found");
        }
        assertProblem(get("/api/v1/videos/987654/danmaku.xml"), 404, "video-not-found");
        assertThat(allStatements() - before).isZero();
    }

    @Test
    @Order(3)
    void aVideoWithoutDanmakuReachesMySqlAtMostOnceWhicheverSegmentsAreAsked() throws Exception {
        double before = allStatements();
        for (int i = 0; i < 20; i++) {
            assertThat(getJson("/api/v1/videos/45/danmaku?segment=" + i)
                            .get("items")
                            .size())
                    .isZero();
        }
        assertThat(allStatements() - before).isLessThanOrEqualTo(1);

        double beforeWindow = allStatements();
        assertThat(getJson("/api/v1/videos/46/danmaku?fromMs=0&toMs=" + (16 * HistoryCache.SEGMENT_MS - 1))
                        .get("items")
                        .size())
                .isZero();
        assertThat(getJson("/api/v1/videos/46/danmaku").get("items").size()).isZero();
        assertThat(allStatements() - beforeWindow).isLessThanOrEqualTo(1);
        assertThat(redis.getExpire("danmaku:segs:45")).isBetween(1L, 33L); // a short-lived null entry
    }

    @Test
    @Order(4)
    void aNewDanmakuReplacesTheCachedSegment() throws Exception {
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=0"))).hasSize(3); // cached
        send(VIDEO, 1104, 1_500);
        await(() -> {
            try {
                return playbackOf(getJson("/api/v1/videos/30/danmaku?segment=0"))
                                .size()
                        == 4;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(playbackOf(getJson("/api/v1/videos/30/danmaku?segment=0")))
                .containsExactly(1_000L, 1_500L, 2_000L, 359_999L);
    }

    private void send(long videoId, long user, long playbackMs) throws Exception {
        var response = post(videoId, user, "{\"text\":\"at " + playbackMs + "\",\"playbackMs\":" + playbackMs + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private static List<Long> playbackOf(JsonNode history) {
        return history.get("items")
                .valueStream()
                .map(d -> d.get("playbackMs").asLong())
                .toList();
    }
}
