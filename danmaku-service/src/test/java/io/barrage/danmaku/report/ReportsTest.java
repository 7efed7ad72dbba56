package io.barrage.danmaku.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ReportsTest extends DanmakuTestBase {

    @Test
    void reportsWithAReasonReachTheModerationQueueMostReportedFirstAndModerationResolvesOrDeletes() throws Exception {
        String a = stored(103, 5101, "buy followers at example dot com");
        String b = stored(103, 5102, "boring");

        assertThat(report(a, 5201, "spam").statusCode()).isEqualTo(201);
        HttpResponse<String> again = report(a, 5201, "spam");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json.readTree(again.body()).get("alreadyReported").asBoolean())
                .isTrue();
        assertThat(report(a, 5202, "abuse").statusCode()).isEqualTo(201);
        assertThat(report(a, 5203, "spam").statusCode()).isEqualTo(201);
        assertThat(report(b, 5201, "off-topic").statusCode()).isEqualTo(201);
        assertProblem(report(b, 5202, "ugly"), 400, "invalid-reason");
        assertProblem(report(b, 0, "spam"), 401, "unauthenticated");
        assertProblem(report("123456", 5202, "spam"), 404, "danmaku-not-found");

        assertProblem(
                http.send(
                        HttpRequest.newBuilder(uri("/internal/v1/moderation/reports"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                401,
                "service-credential-required");
        List<JsonNode> queue = ours(queue("OPEN"), a, b);
        assertThat(queue).extracting(c -> c.get("danmakuId").asString()).containsExactly(a, b);
        assertThat(queue.get(0).get("reports").asLong()).isEqualTo(3);
        assertThat(queue.get(0).get("reasons").get("spam").asLong()).isEqualTo(2);
        assertThat(queue.get(0).get("reasons").get("abuse").asLong()).isEqualTo(1);
        assertThat(queue.get(0).get("danmaku").get("text").asString()).isEqualTo("buy followers at example dot com");
        assertThat(queue.get(1).get("reasons").get("off-topic").asLong()).isEqualTo(1);

        HttpResponse<String> resolved = send("POST", "/internal/v1/moderation/reports/" + b + "/resolve", 0, null);
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
        assertThat(json.readTree(resolved.body()).get("status").asString()).isEqualTo("RESOLVED");
        assertThat(rowsWithId(b)).isEqualTo(1);

        HttpResponse<String> deleted = send("POST", "/internal/v1/moderation/reports/" + a + "/delete", 0, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(json.readTree(deleted.body()).get("status").asString()).isEqualTo("DELETED");
        assertThat(rowsWithId(a)).isZero();
        assertThat(ours(queue("OPEN"), a, b)).isEmpty();
        assertThat(ours(queue("DELETED"), a, b))
                .extracting(c -> c.get("danmakuId").asString())
                .containsExactly(a);
        assertThat(eventsOf(103))
                .anySatisfy(e -> assertThat(
                                e.get("type").asString() + ":" + e.get("id").asString())
                        .isEqualTo("DanmakuDeleted:" + a));
        assertProblem(send("POST", "/internal/v1/moderation/reports/123456/delete", 0, null), 404, "report-not-found");
    }

    @Test
    void aViewerWhoReportsTooMuchIsToldToWait() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            long id = 7_700_000_001L + i;
            insertRow(id, 104, 1 + i, 1000 + i, "meh " + i);
            ids.add(Long.toString(id));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(report(ids.get(i), 5301, "other").statusCode()).isEqualTo(201);
        }
        HttpResponse<String> refused = report(ids.get(10), 5301, "other");
        assertProblem(refused, 429, "report-rate-limited");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // Someone else is not limited by it.
        assertThat(report(ids.get(10), 5302, "other").statusCode()).isEqualTo(201);
    }

    private String stored(long video, long sender, String text) throws Exception {
        String id = sent(post(video, sender, "{\"text\":\"" + text + "\",\"playbackMs\":100}"))
                .get("id")
                .asString();
        await(() -> rowsWithId(id) == 1);
        return id;
    }

    private HttpResponse<String> report(String id, long user, String reason) throws Exception {
        return send("POST", "/api/v1/danmaku/" + id + "/reports", user, "{\"reason\":\"" + reason + "\"}");
    }

    private JsonNode queue(String status) throws Exception {
        HttpResponse<String> response =
                send("GET", "/internal/v1/moderation/reports?size=100&status=" + status, 0, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static List<JsonNode> ours(JsonNode queue, String... ids) {
        List<String> wanted = List.of(ids);
        List<JsonNode> items = new ArrayList<>();
        queue.get("items").forEach(item -> {
            if (wanted.contains(item.get("danmakuId").asString())) {
                items.add(item);
            }
        });
        return items;
    }
}
