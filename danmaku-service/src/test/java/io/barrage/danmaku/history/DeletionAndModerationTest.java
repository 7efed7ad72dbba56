package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import tools.jackson.databind.JsonNode;

/** DELETE by sender or owner, and the internal moderation API. */
class DeletionAndModerationTest extends DanmakuTestBase {

    @Autowired
    KafkaListenerEndpointRegistry listeners;

    @Test
    void theSenderOrTheOwnerMayDeleteAndEveryoneElseGets404() throws Exception {
        long video = 40;
        JsonNode mine = created(post(video, 1200, "{\"text\":\"regret\",\"playbackMs\":100}"));
        JsonNode theirs = created(post(video, 1201, "{\"text\":\"rude\",\"playbackMs\":200}"));
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", video) == 2);
        assertThat(getJson("/api/v1/videos/40/danmaku?segment=0").get("items").size())
                .isEqualTo(2); // cached

        String mineId = mine.get("id").asString();
        assertProblem(send("DELETE", "/api/v1/danmaku/" + mineId, 1201, null), 404, "danmaku-not-found");
        assertProblem(send("DELETE", "/api/v1/danmaku/" + mineId, 0, null), 401, "unauthenticated");
        assertProblem(send("DELETE", "/api/v1/danmaku/123456789", 1200, null), 404, "danmaku-not-found");
        assertThat(send("DELETE", "/api/v1/danmaku/" + mineId, 1200, null).statusCode())
                .isEqualTo(204);
        // The video's owner may remove anyone's.
        String theirsId = theirs.get("id").asString();
        assertThat(send("DELETE", "/api/v1/danmaku/" + theirsId, OWNER, null).statusCode())
                .isEqualTo(204);
        assertProblem(send("DELETE", "/api/v1/danmaku/" + theirsId, OWNER, null), 404, "danmaku-not-found");

        // Gone from history at once (the cached segment was dropped) and from the table.
        assertThat(getJson("/api/v1/videos/40/danmaku?segment=0").get("items").size())
                .isZero();
        assertThat(rowsWithId(mineId)).isZero();
        // Live viewers learn through a tombstone on the video's stream.
        List<String> stream = eventsOf(video).stream()
                .map(e -> e.get("type").asString() + ":" + e.get("id").asString() + ":"
                        + e.get("seq").asLong())
                .toList();
        assertThat(stream)
                .contains(
                        "DanmakuDeleted:" + mineId + ":" + mine.get("seq").asLong(),
                        "DanmakuDeleted:" + theirsId + ":" + theirs.get("seq").asLong());
    }

    @Test
    void aDeleteThatOvertakesItsDanmakuOnTheWayToMySqlIsToldToRetryAndThenDeletesIt() throws Exception {
        long video = 44;
        MessageListenerContainer persister = listeners.getAllListenerContainers().stream()
                .filter(c -> "danmaku-persist".equals(c.getGroupId()))
                .findFirst()
                .orElseThrow();
        persister.pause();
        String id;
        try {
            await(persister::isContainerPaused);
            id = created(post(video, 1250, "{\"text\":\"oops\",\"playbackMs\":100}"))
                    .get("id")
                    .asString();
            // Acknowledged, but not in MySQL yet: not a 404 (that would leave it on everyone's screen).
            HttpResponse<String> early = send("DELETE", "/api/v1/danmaku/" + id, 1250, null);
            assertProblem(early, 409, "danmaku-not-stored-yet");
            assertThat(early.headers().firstValue("Retry-After")).hasValue("2");
            assertThat(rowsWithId(id)).isZero(); // the persister is paused: the row really is not there yet
        } finally {
            persister.resume();
        }
        // A client retrying as told: the delete waits for the row, which is on its way, and removes it.
        long deadline = System.nanoTime() + 60_000_000_000L;
        HttpResponse<String> retried = send("DELETE", "/api/v1/danmaku/" + id, 1250, null);
        while (retried.statusCode() == 409) {
            assertThat(System.nanoTime()).as("still 409 after 60 s").isLessThan(deadline);
            retried = send("DELETE", "/api/v1/danmaku/" + id, 1250, null);
        }
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(204);
        assertThat(rowsWithId(id)).isZero();
        assertThat(getJson("/api/v1/videos/44/danmaku?segment=0").get("items").size())
                .isZero();
        assertProblem(send("DELETE", "/api/v1/danmaku/" + id, 1250, null), 404, "danmaku-not-found");
    }

    @Test
    void moderationCanListCountAndDeleteByUserAndPurgeAVideo() throws Exception {
        for (int i = 0; i < 3; i++) {
            created(post(41, 1300, "{\"text\":\"troll " + i + "\",\"playbackMs\":" + i + "}"));
        }
        created(post(42, 1300, "{\"text\":\"troll elsewhere\",\"playbackMs\":5}"));
        created(post(42, 1301, "{\"text\":\"innocent\",\"playbackMs\":6}"));
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE sender_id = ?", 1300L) == 4
                && count("SELECT COUNT(*) FROM danmaku WHERE sender_id = ?", 1301L) == 1);

        assertProblem(
                http.send(
                        java.net.http.HttpRequest.newBuilder(uri("/internal/v1/users/1300/danmaku"))
                                .header("X-Service-Token", "wrong")
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()),
                401,
                "service-credential-required");
        assertProblem(
                http.send(
                        java.net.http.HttpRequest.newBuilder(uri("/internal/v1/danmaku/counts?videoIds=41"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()),
                401,
                "service-credential-required");

        JsonNode page = json.readTree(
                send("GET", "/internal/v1/users/1300/danmaku?size=2", 0, null).body());
        assertThat(page.get("total").asLong()).isEqualTo(4);
        assertThat(page.get("items").size()).isEqualTo(2);
        assertThat(page.get("items").get(0).get("text").asString()).isEqualTo("troll elsewhere"); // newest first

        JsonNode counts = json.readTree(send("GET", "/internal/v1/danmaku/counts?videoIds=41,42,43", 0, null)
                .body());
        assertThat(counts.get("counts").get("41").asLong()).isEqualTo(3);
        assertThat(counts.get("counts").get("42").asLong()).isEqualTo(2);
        assertThat(counts.get("counts").get("43").asLong()).isZero();

        HttpResponse<String> ban = send("DELETE", "/internal/v1/users/1300/danmaku", 0, null);
        assertThat(ban.statusCode()).as(ban.body()).isEqualTo(200);
        assertThat(json.readTree(ban.body()).get("deleted").asLong()).isEqualTo(4);
        assertThat(count("SELECT COUNT(*) FROM danmaku WHERE sender_id = ?", 1300L))
                .isZero();
        assertThat(getJson("/api/v1/videos/42/danmaku").get("items").size()).isEqualTo(1);

        // The purge works in batches until nothing is left.
        created(post(43, 1302, "{\"text\":\"p1\",\"playbackMs\":1}"));
        created(post(43, 1303, "{\"text\":\"p2\",\"playbackMs\":2}"));
        created(post(43, 1304, "{\"text\":\"p3\",\"playbackMs\":3}"));
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", 43L) == 3);
        assertThat(json.readTree(send("DELETE", "/internal/v1/videos/43/danmaku?batch=2", 0, null)
                                .body())
                        .get("deleted")
                        .asLong())
                .isEqualTo(2);
        assertThat(json.readTree(send("DELETE", "/internal/v1/videos/43/danmaku?batch=2", 0, null)
                                .body())
                        .get("deleted")
                        .asLong())
                .isEqualTo(1);
        assertThat(json.readTree(send("DELETE", "/internal/v1/videos/43/danmaku?batch=2", 0, null)
                                .body())
                        .get("deleted")
                        .asLong())
                .isZero();
        assertThat(getJson("/api/v1/videos/43/danmaku").get("items").size()).isZero();
        assertProblem(send("DELETE", "/internal/v1/videos/43/danmaku?batch=0", 0, null), 400, "invalid-request");
    }

    private static JsonNode created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.readTree(response.body());
    }
}
