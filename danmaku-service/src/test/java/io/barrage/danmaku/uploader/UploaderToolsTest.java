package io.barrage.danmaku.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class UploaderToolsTest extends DanmakuTestBase {

    @Test
    void anOwnerClosesAVideoToNewDanmakuWhileItsHistoryStaysReadableAndOpensItAgain() throws Exception {
        String id = stored(107, 5501);
        assertThat(getJson("/api/v1/videos/107/danmaku/state").get("closed").asBoolean())
                .isFalse();

        assertProblem(
                send("PUT", "/api/v1/videos/107/danmaku/state", 5501, "{\"closed\":true}"), 403, "not-video-owner");
        assertProblem(send("PUT", "/api/v1/videos/107/danmaku/state", OWNER, "{}"), 400, "invalid-request");
        HttpResponse<String> closed = send("PUT", "/api/v1/videos/107/danmaku/state", OWNER, "{\"closed\":true}");
        assertThat(closed.statusCode()).as(closed.body()).isEqualTo(200);
        assertThat(json.readTree(closed.body()).get("closed").asBoolean()).isTrue();

        assertProblem(post(107, 5502, "{\"text\":\"anyone here?\",\"playbackMs\":300}"), 403, "danmaku-closed");
        assertThat(getJson("/api/v1/videos/107/danmaku/state").get("closed").asBoolean())
                .isTrue();
        JsonNode history = getJson("/api/v1/videos/107/danmaku?segment=0");
        assertThat(history.get("items").size()).isEqualTo(1);
        assertThat(history.get("items").get(0).get("id").asString()).isEqualTo(id);

        send("PUT", "/api/v1/videos/107/danmaku/state", OWNER, "{\"closed\":false}");
        assertThat(post(107, 5502, "{\"text\":\"back again\",\"playbackMs\":300}")
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aProtectedDanmakuSurvivesRecallItsSendersDeleteAndModerationButItsOwnerMayStillDeleteIt() throws Exception {
        String id = stored(108, 5601);
        assertProblem(send("PUT", "/api/v1/danmaku/" + id + "/protection", 5601, null), 404, "danmaku-not-found");
        assertThat(send("PUT", "/api/v1/danmaku/" + id + "/protection", OWNER, null)
                        .statusCode())
                .isEqualTo(204);
        JsonNode ownerView = json.readTree(
                send("GET", "/api/v1/videos/108/danmaku/state", OWNER, null).body());
        assertThat(ownerView.get("protectedIds").toString()).contains(id);
        assertThat(getJson("/api/v1/videos/108/danmaku/state")
                        .get("protectedIds")
                        .size())
                .isZero();

        assertProblem(send("POST", "/api/v1/danmaku/" + id + "/recall", 5601, null), 409, "danmaku-protected");
        assertProblem(send("DELETE", "/api/v1/danmaku/" + id, 5601, null), 409, "danmaku-protected");
        assertThat(send("POST", "/api/v1/danmaku/" + id + "/reports", 5602, "{\"reason\":\"abuse\"}")
                        .statusCode())
                .isEqualTo(201);
        assertProblem(
                send("POST", "/internal/v1/moderation/reports/" + id + "/delete", 0, null), 409, "danmaku-protected");
        assertThat(rowsWithId(id)).isEqualTo(1);

        assertThat(send("DELETE", "/api/v1/danmaku/" + id, OWNER, null).statusCode())
                .isEqualTo(204);
        assertThat(rowsWithId(id)).isZero();
    }

    private String stored(long video, long sender) throws Exception {
        String id = sent(post(video, sender, "{\"text\":\"first!\",\"playbackMs\":200}"))
                .get("id")
                .asString();
        await(() -> rowsWithId(id) == 1);
        return id;
    }
}
