package io.barrage.danmaku.like;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class LikesTest extends DanmakuTestBase {

    @Test
    void aViewerLikesADanmakuOnceASecondLikeChangesNothingAndTheCountReachesMariaDbAfterTheFlush() throws Exception {
        String id = stored(100, 5001, 100);

        JsonNode first = like(100, id, 5002);
        assertThat(first.get("likes").asLong()).isEqualTo(1);
        assertThat(first.get("liked").asBoolean()).isTrue();
        assertThat(first.get("highlyLiked").asBoolean()).isFalse();
        assertThat(like(100, id, 5002).get("likes").asLong()).isEqualTo(1);
        assertThat(like(100, id, 5003).get("likes").asLong()).isEqualTo(2);

        JsonNode counts = json.readTree(
                send("GET", "/api/v1/videos/100/danmaku/likes", 5002, null).body());
        assertThat(counts.get("counts").get(id).asLong()).isEqualTo(2);
        assertThat(counts.get("mine").toString()).contains(id);
        assertThat(counts.get("highlyLikedAt").asInt()).isEqualTo(10);
        JsonNode anonymous = getJson("/api/v1/videos/100/danmaku/likes");
        assertThat(anonymous.get("counts").get(id).asLong()).isEqualTo(2);
        assertThat(anonymous.get("mine").size()).isZero();

        assertProblem(send("PUT", "/api/v1/videos/100/danmaku/" + id + "/like", 0, null), 401, "unauthenticated");
        assertProblem(send("PUT", "/api/v1/videos/100/danmaku/123456/like", 5002, null), 404, "danmaku-not-found");
        assertProblem(send("PUT", "/api/v1/videos/101/danmaku/" + id + "/like", 5002, null), 404, "danmaku-not-found");

        flushUntil(id, 2);
        assertThat(count("SELECT COUNT(*) FROM danmaku_like WHERE danmaku_id = ?", Long.parseLong(id)))
                .isEqualTo(2);
        // A repeat after the flush is still a repeat.
        assertThat(like(100, id, 5003).get("likes").asLong()).isEqualTo(2);
        send("POST", "/internal/v1/likes/flush", 0, null);
        assertThat(likesInDb(id)).isEqualTo(2);
    }

    @Test
    void concurrentLikesCountExactlyNoneIsLostInTheFlushAndPastTheThresholdTheDanmakuIsHighlyLiked() throws Exception {
        String id = stored(102, 5010, 2000);
        int users = 200;
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            for (int round = 0; round < 2; round++) {
                for (int u = 0; u < users; u++) {
                    long user = 6000 + u;
                    responses.add(
                            pool.submit(() -> send("PUT", "/api/v1/videos/102/danmaku/" + id + "/like", user, null)));
                }
            }
            long highest = 0;
            for (Future<HttpResponse<String>> response : responses) {
                HttpResponse<String> r = response.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                highest = Math.max(highest, json.readTree(r.body()).get("likes").asLong());
            }
            assertThat(highest).isEqualTo(users);
        }
        JsonNode after = like(102, id, 6000);
        assertThat(after.get("likes").asLong()).isEqualTo(users);
        assertThat(after.get("highlyLiked").asBoolean()).isTrue();
        assertThat(getJson("/api/v1/videos/102/danmaku/likes")
                        .get("counts")
                        .get(id)
                        .asLong())
                .isEqualTo(users);

        flushUntil(id, users);
        assertThat(count("SELECT COUNT(*) FROM danmaku_like WHERE danmaku_id = ?", Long.parseLong(id)))
                .isEqualTo(users);
    }

    private String stored(long video, long sender, long playbackMs) throws Exception {
        String id = sent(post(video, sender, "{\"text\":\"like me\",\"playbackMs\":" + playbackMs + "}"))
                .get("id")
                .asString();
        await(() -> rowsWithId(id) == 1);
        return id;
    }

    private JsonNode like(long video, String id, long user) throws Exception {
        HttpResponse<String> response = send("PUT", "/api/v1/videos/" + video + "/danmaku/" + id + "/like", user, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private void flushUntil(String id, long likes) throws Exception {
        await(() -> {
            try {
                send("POST", "/internal/v1/likes/flush", 0, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return likesInDb(id) == likes;
        });
    }

    private long likesInDb(String id) {
        return count(
                "SELECT COALESCE((SELECT likes FROM danmaku_like_count WHERE danmaku_id = ?), 0)", Long.parseLong(id));
    }
}
