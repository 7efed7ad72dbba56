package io.barrage.danmaku;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Bad input to the danmaku actions gets a 4xx problem, never a 5xx. */
class ActionsHostileInputTest extends DanmakuTestBase {

    @Test
    void malformedIdsBodiesAndParametersOfTheActionsAre4xxProblems() throws Exception {
        String[][] requests = {
            {"PUT", "/api/v1/videos/120/danmaku/abc/like", null},
            {"PUT", "/api/v1/videos/120/danmaku/99999999999999999999/like", null},
            {"POST", "/api/v1/danmaku/1/reports", "{\"reason\":"},
            {"POST", "/api/v1/danmaku/1/reports", "{\"reason\":[1,2]}"},
            {"POST", "/api/v1/danmaku/1/reports", "{}"},
            {"POST", "/api/v1/danmaku/abc/recall", null},
            {"PUT", "/api/v1/videos/120/danmaku/state", "{\"closed\":\"maybe\"}"},
            {"PUT", "/api/v1/videos/120/danmaku/state", "[]"},
            {"PUT", "/api/v1/danmaku/-1/protection", null},
            {"GET", "/api/v1/videos/x/danmaku/density", null},
            {"GET", "/api/v1/videos/-5/danmaku/moments.vtt", null},
            {"GET", "/internal/v1/moderation/reports?size=100000", null},
            {"GET", "/internal/v1/moderation/reports?status=EVIL", null},
            {"POST", "/internal/v1/moderation/reports/abc/delete", null},
        };
        for (String[] r : requests) {
            HttpResponse<String> response = send(r[0], r[1], 5701, r[2]);
            assertThat(response.statusCode())
                    .as(r[0] + " " + r[1] + " " + r[2] + " → " + response.body())
                    .isBetween(400, 499);
            assertThat(response.headers().firstValue("Content-Type"))
                    .as(r[1])
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        }
    }
}
