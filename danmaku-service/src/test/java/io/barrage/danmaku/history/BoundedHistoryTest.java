package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * A video that claims to last 136 years (a lying 140-byte MP4 once got that far): its danmaku are capped at
 * ingest, and history that already holds one centuries in is read with work bounded by what is stored, not
 * by how far apart it lies (11 million empty 6-minute segments used to be walked, one by one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BoundedHistoryTest extends DanmakuTestBase {

    private static final long VIDEO = 5;
    private static final long DAY_MS = 24L * 3600 * 1000;
    private static final long FAR_MS = HUGE_DURATION_MS - 1_000;

    @Test
    @Order(1)
    void aDanmakuPastADayIsRefusedEvenOnAVideoThatClaimsToLastLonger() throws Exception {
        assertProblem(post(VIDEO, 2001, body(FAR_MS)), 400, "playback-out-of-range");
        assertProblem(post(VIDEO, 2002, body(DAY_MS + 1)), 400, "playback-out-of-range");
        HttpResponse<String> dplayer =
                send("POST", "/dplayer/v3/", 2003, "{\"id\":5,\"time\":" + (FAR_MS / 1000) + ",\"text\":\"far\"}");
        assertThat(dplayer.statusCode()).as(dplayer.body()).isEqualTo(400);
        assertThat(json.readTree(dplayer.body()).get("reason").asString()).isEqualTo("playback-out-of-range");

        HttpResponse<String> lastMs = post(VIDEO, 2004, body(DAY_MS));
        assertThat(lastMs.statusCode()).as(lastMs.body()).isEqualTo(201);
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", VIDEO) == 1);
    }

    @Test
    @Order(2)
    void historyHoldingADanmakuCenturiesInIsReadWithBoundedWork() throws Exception {
        // As the old rules stored them: one near the start, one 136 years in.
        insertRow(9_100_000_001L, VIDEO, 100, 1_000, "near");
        insertRow(9_100_000_002L, VIDEO, 101, FAR_MS, "far");
        double segmentsBefore = statements("DanmakuMapper.segment");
        double allBefore = allStatements();

        JsonNode dplayer = json.readTree(bounded("/dplayer/v3/?id=5").body());
        assertThat(dplayer.get("data").size()).isEqualTo(3);
        assertThat(dplayer.get("data").get(2).get(4).asString()).isEqualTo("far");
        assertThat(dplayer.get("data").get(2).get(0).asDouble()).isEqualTo(FAR_MS / 1000.0);

        String xml = bounded("/api/v1/videos/5/danmaku.xml").body();
        assertThat(xml).contains(">near</d>").contains(">far</d>");

        JsonNode window = json.readTree(bounded("/api/v1/videos/5/danmaku").body());
        assertThat(window.get("items").size()).isEqualTo(3);
        JsonNode explicit = json.readTree(bounded("/api/v1/videos/5/danmaku?fromMs=2000&toMs=" + Long.MAX_VALUE)
                .body());
        assertThat(explicit.get("items").valueStream().map(d -> d.get("text").asString()))
                .containsExactly("at " + DAY_MS, "far");

        // Three segments hold danmaku, and only they were loaded, once each; then the cache answered.
        assertThat(statements("DanmakuMapper.segment") - segmentsBefore).isEqualTo(3);
        assertThat(allStatements() - allBefore).isLessThanOrEqualTo(5);
    }

    @Test
    @Order(3)
    void aVideoWithMoreSegmentsThanItsIndexListsIsStillReadInFull() throws Exception {
        int segments = HistoryCache.INDEX_LIMIT + 5;
        for (int n = 0; n < segments; n++) {
            insertRow(9_100_100_000L + n, 62, n + 1, n * HistoryCache.SEGMENT_MS + 7, "s" + n);
        }
        JsonNode all =
                json.readTree(bounded("/api/v1/videos/62/danmaku?limit=5000").body());
        assertThat(all.get("items").size()).isEqualTo(segments);
        assertThat(all.get("items").get(segments - 1).get("text").asString()).isEqualTo("s" + (segments - 1));
        JsonNode tail = json.readTree(bounded("/api/v1/videos/62/danmaku?fromMs="
                        + (HistoryCache.INDEX_LIMIT + 2) * HistoryCache.SEGMENT_MS + "&limit=2")
                .body());
        assertThat(tail.get("items").valueStream().map(d -> d.get("text").asString()))
                .containsExactly("s" + (HistoryCache.INDEX_LIMIT + 2), "s" + (HistoryCache.INDEX_LIMIT + 3));
        JsonNode beyond = json.readTree(
                bounded("/api/v1/videos/62/danmaku?segment=" + (segments - 1)).body());
        assertThat(beyond.get("items").get(0).get("text").asString()).isEqualTo("s" + (segments - 1));
        JsonNode listed =
                json.readTree(bounded("/api/v1/videos/62/danmaku?segment=3").body());
        assertThat(listed.get("items").get(0).get("text").asString()).isEqualTo("s3");
    }

    /** The request must answer; a generous bound turns the old unbounded walk into a failure, not a hang. */
    private HttpResponse<String> bounded(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static String body(long playbackMs) {
        return "{\"text\":\"at " + playbackMs + "\",\"playbackMs\":" + playbackMs + "}";
    }
}
