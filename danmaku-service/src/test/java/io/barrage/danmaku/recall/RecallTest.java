package io.barrage.danmaku.recall;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class RecallTest extends DanmakuTestBase {

    @Test
    void theSenderRecallsWithinTwoMinutesAndEveryViewerIsToldThroughTheTombstone() throws Exception {
        JsonNode d = sent(post(105, 5401, "{\"text\":\"typo\",\"playbackMs\":100}"));
        String id = d.get("id").asString();
        await(() -> rowsWithId(id) == 1);

        assertProblem(recall(id, 5402), 404, "danmaku-not-found");
        HttpResponse<String> recalled = recall(id, 5401);
        assertThat(recalled.statusCode()).as(recalled.body()).isEqualTo(200);
        assertThat(json.readTree(recalled.body()).get("recallsLeftToday").asInt())
                .isEqualTo(2);

        assertThat(rowsWithId(id)).isZero();
        assertThat(getJson("/api/v1/videos/105/danmaku?segment=0").get("items").size())
                .isZero();
        assertThat(eventsOf(105))
                .anySatisfy(e -> assertThat(e.get("type").asString() + ":"
                                + e.get("id").asString() + ":" + e.get("seq").asLong())
                        .isEqualTo("DanmakuDeleted:" + id + ":" + d.get("seq").asLong()));
        assertProblem(recall(id, 5401), 404, "danmaku-not-found");
    }

    @Test
    void aDanmakuSentMoreThanTwoMinutesAgoCannotBeRecalled() throws Exception {
        insertSentAgo(7_700_100_001L, 106, 1, 5403, 121);
        assertProblem(recall("7700100001", 5403), 403, "recall-window-passed");
        assertThat(rowsWithId("7700100001")).isEqualTo(1);
    }

    @Test
    void threeRecallsADayAndTheFourthIsRefusedUntilMidnight() throws Exception {
        for (int i = 0; i < 4; i++) {
            insertSentAgo(7_700_100_011L + i, 106, 11 + i, 5404, 10);
        }
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = recall(Long.toString(7_700_100_011L + i), 5404);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        }
        HttpResponse<String> refused = recall("7700100014", 5404);
        assertProblem(refused, 429, "recall-limit-reached");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(rowsWithId("7700100014")).isEqualTo(1);
    }

    private HttpResponse<String> recall(String id, long user) throws Exception {
        return send("POST", "/api/v1/danmaku/" + id + "/recall", user, null);
    }
}
