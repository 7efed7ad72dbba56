package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /internal/v1/videos/{id}/danmaku/since}: what push-service replays to a resuming viewer. */
class ResumeEndpointTest extends DanmakuTestBase {

    private static final long VIDEO = 77;

    @Test
    void itListsTheDanmakuAfterASeqInSeqOrderWithoutDeletedOnesAndSaysHowFarHistoryIsComplete() throws Exception {
        List<JsonNode> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response =
                    post(VIDEO, 1400 + i, "{\"text\":\"r" + i + "\",\"playbackMs\":" + (5000 - i * 1000) + "}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            sent.add(json.readTree(response.body()));
        }
        long first = sent.getFirst().get("seq").asLong();
        String deleted = sent.get(2).get("id").asString();
        assertThat(send("DELETE", "/api/v1/danmaku/" + deleted, 1402, null).statusCode())
                .isEqualTo(204);
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", VIDEO) == 4);

        JsonNode all = since(first - 1, null);
        assertThat(all.get("videoId").asLong()).isEqualTo(VIDEO);
        assertThat(seqs(all)).containsExactly(first, first + 1, first + 3, first + 4);
        assertThat(texts(all)).containsExactly("r0", "r1", "r3", "r4");
        assertThat(all.get("items").get(0).get("id").asString())
                .isEqualTo(sent.getFirst().get("id").asString());
        assertThat(all.get("more").asBoolean()).isFalse();
        assertThat(all.get("persistedSeq").asLong()).isEqualTo(first + 4);
        assertThat(all.get("publishedSeq").asLong()).isEqualTo(first + 4);

        JsonNode page = since(first, 2);
        assertThat(seqs(page)).containsExactly(first + 1, first + 3);
        assertThat(page.get("more").asBoolean()).isTrue();
        assertThat(seqs(since(first + 3, 2))).containsExactly(first + 4);
        assertThat(since(first + 4, null).get("items").size()).isZero();

        JsonNode none = since(0, null);
        assertThat(none.get("items").size()).isEqualTo(4);

        JsonNode unknown = getInternal("/internal/v1/videos/987656/danmaku/since?seq=0");
        assertThat(unknown.get("items").size()).isZero();
        assertThat(unknown.get("persistedSeq").asLong()).isZero();
        assertThat(unknown.get("publishedSeq").asLong()).isZero();
    }

    @Test
    void itNeedsTheServiceCredentialAndValidParameters() throws Exception {
        assertProblem(
                http.send(
                        HttpRequest.newBuilder(uri("/internal/v1/videos/" + VIDEO + "/danmaku/since?seq=0"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()),
                401,
                "service-credential-required");
        assertProblem(send("GET", "/internal/v1/videos/77/danmaku/since?seq=-1", 0, null), 400, "invalid-request");
        assertProblem(
                send("GET", "/internal/v1/videos/77/danmaku/since?seq=0&limit=1001", 0, null), 400, "invalid-request");
        assertProblem(send("GET", "/internal/v1/videos/77/danmaku/since?seq=x", 0, null), 400, "invalid-request");
        assertProblem(send("GET", "/internal/v1/videos/77/danmaku/since", 0, null), 400, "invalid-request");
    }

    private JsonNode since(long seq, Integer limit) throws Exception {
        return getInternal("/internal/v1/videos/" + VIDEO + "/danmaku/since?seq=" + seq
                + (limit == null ? "" : "&limit=" + limit));
    }

    private JsonNode getInternal(String path) throws Exception {
        HttpResponse<String> response = send("GET", path, 0, null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private static List<Long> seqs(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.get("items").forEach(item -> seqs.add(item.get("seq").asLong()));
        return seqs;
    }

    private static List<String> texts(JsonNode page) {
        List<String> texts = new ArrayList<>();
        page.get("items").forEach(item -> texts.add(item.get("text").asString()));
        return texts;
    }
}
