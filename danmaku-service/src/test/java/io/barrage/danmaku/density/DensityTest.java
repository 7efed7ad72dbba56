package io.barrage.danmaku.density;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DensityTest extends DanmakuTestBase {

    @Test
    void theCurveCountsABurstPerFiveSecondBucketIsServedFromTheCacheAndLosesDeletedAndRecalledDanmaku()
            throws Exception {
        long video = 110;
        List<JsonNode> sent = new ArrayList<>();
        long user = 7000;
        for (int i = 0; i < 7; i++) {
            sent.add(sent(post(video, user++, "{\"text\":\"early " + i + "\",\"playbackMs\":" + (i * 700) + "}")));
        }
        for (int i = 0; i < 20; i++) {
            sent.add(sent(
                    post(video, user++, "{\"text\":\"wow " + i + "\",\"playbackMs\":" + (10_000 + i * 200) + "}")));
        }
        for (int i = 0; i < 3; i++) {
            sent.add(sent(post(video, user++, "{\"text\":\"late " + i + "\",\"playbackMs\":" + (25_000 + i) + "}")));
        }
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", video) == 30);

        JsonNode curve = getJson("/api/v1/videos/110/danmaku/density");
        assertThat(curve.get("bucketMs").asLong()).isEqualTo(5000);
        assertThat(counts(curve)).containsExactly(7L, 0L, 20L, 0L, 0L, 3L);
        assertThat(curve.get("total").asLong()).isEqualTo(30);
        assertThat(curve.get("peak").asLong()).isEqualTo(20);
        double loads = statements("DensityMapper.buckets");
        for (int i = 0; i < 5; i++) {
            assertThat(counts(getJson("/api/v1/videos/110/danmaku/density"))).containsExactly(7L, 0L, 20L, 0L, 0L, 3L);
        }
        assertThat(statements("DensityMapper.buckets")).as("cached reads").isEqualTo(loads);

        // Two deleted by their senders from the burst, one recalled from the first bucket.
        for (int i = 7; i < 9; i++) {
            JsonNode d = sent.get(i);
            HttpResponse<String> deleted = send(
                    "DELETE",
                    "/api/v1/danmaku/" + d.get("id").asString(),
                    d.get("senderId").asLong(),
                    null);
            assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        }
        JsonNode first = sent.get(0);
        HttpResponse<String> recalled = send(
                "POST",
                "/api/v1/danmaku/" + first.get("id").asString() + "/recall",
                first.get("senderId").asLong(),
                null);
        assertThat(recalled.statusCode()).as(recalled.body()).isEqualTo(200);
        assertThat(counts(getJson("/api/v1/videos/110/danmaku/density"))).containsExactly(6L, 0L, 18L, 0L, 0L, 3L);

        // The persister replays those tombstones from danmaku.events after the deletes: nothing is taken
        // twice. A danmaku sent after them is stored after them (same partition), so once it shows, they ran.
        String last = sent(post(video, user, "{\"text\":\"last\",\"playbackMs\":26000}"))
                .get("id")
                .asString();
        await(() -> rowsWithId(last) == 1);
        await(() -> {
            try {
                return counts(getJson("/api/v1/videos/110/danmaku/density")).get(5) == 4L;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(counts(getJson("/api/v1/videos/110/danmaku/density"))).containsExactly(6L, 0L, 18L, 0L, 0L, 4L);
    }

    @Test
    void anUnknownVideoHasNoCurveAndAVideoWithoutDanmakuHasAnEmptyOne() throws Exception {
        assertProblem(get("/api/v1/videos/999/danmaku/density"), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/999/danmaku/moments"), 404, "video-not-found");
        JsonNode empty = getJson("/api/v1/videos/111/danmaku/density");
        assertThat(empty.get("counts").size()).isZero();
        assertThat(empty.get("total").asLong()).isZero();
        assertThat(getJson("/api/v1/videos/111/danmaku/moments").get("moments").size())
                .isZero();
    }

    @Test
    void theHotMomentsOfASeededConversationAreLabelledWithWhatTheCrowdSaid() throws Exception {
        long video = 112;
        long user = 7100;
        int total = 0;
        for (int b = 0; b <= 40; b++) {
            post(video, user++, "{\"text\":\"bg" + b + "\",\"playbackMs\":" + (b * 5000 + 1000) + "}");
            total++;
        }
        String[] hype = {
            "前方高能！",
            "前方高能预警",
            "啊啊啊前方高能",
            "前方高能 233",
            "233333",
            "前方高能!!!",
            "真的前方高能",
            "前方高能来了",
            "高能",
            "前方高能",
            "awsl 前方高能",
            "233"
        };
        for (String text : hype) {
            sent(post(video, user++, "{\"text\":\"" + text + "\",\"playbackMs\":61000}"));
            total++;
        }
        String[] goal = {
            "GOAL!!!",
            "what a goal",
            "goal of the year",
            "Goal goal",
            "insane goal",
            "GOAL",
            "that goal",
            "best goal ever",
            "goal!!",
            "unreal"
        };
        for (String text : goal) {
            sent(post(video, user++, "{\"text\":\"" + text + "\",\"playbackMs\":152000}"));
            total++;
        }
        int expected = total;
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", video) == expected);

        JsonNode moments = getJson("/api/v1/videos/112/danmaku/moments").get("moments");
        assertThat(moments.size()).as(moments.toString()).isEqualTo(2);
        assertThat(moments.get(0).get("peakMs").asLong()).isEqualTo(60_000);
        assertThat(moments.get(0).get("startMs").asLong()).isEqualTo(55_000);
        assertThat(moments.get(0).get("words").get(0).asString()).isEqualTo("前方高能");
        assertThat(moments.get(1).get("peakMs").asLong()).isEqualTo(150_000);
        assertThat(moments.get(1).get("words").get(0).asString()).isEqualTo("goal");

        HttpResponse<String> vtt = get("/api/v1/videos/112/danmaku/moments.vtt");
        assertThat(vtt.statusCode()).isEqualTo(200);
        assertThat(vtt.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/vtt"));
        assertThat(vtt.body()).startsWith("WEBVTT\n");
        assertThat(vtt.body()).contains("00:00:55.000 --> 00:01:10.000\n前方高能");
        assertThat(vtt.body()).contains("00:02:25.000 --> 00:02:40.000\ngoal");
    }

    private static List<Long> counts(JsonNode curve) {
        List<Long> counts = new ArrayList<>();
        curve.get("counts").forEach(c -> counts.add(c.asLong()));
        return counts;
    }
}
