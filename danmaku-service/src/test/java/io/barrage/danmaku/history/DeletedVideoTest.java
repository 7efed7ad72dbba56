package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import io.barrage.danmaku.video.VideoEventsListener;
import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A deleted video's danmaku answer 404 like the video itself, from the delete on, not from the purge. */
class DeletedVideoTest extends DanmakuTestBase {

    private static final KafkaProducer<String, String> producer = producer();

    @Autowired
    VideoEventsListener videoEvents;

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    @Test
    void aDeletedVideosHistoryIsNotFoundInEveryFormat() throws Exception {
        insertRow(9_200_000_001L, 6, 1, 1_000, "posted before the delete");

        assertProblem(get("/api/v1/videos/6/danmaku"), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/6/danmaku?segment=0"), 404, "video-not-found");
        assertProblem(get("/api/v1/videos/6/danmaku.xml"), 404, "video-not-found");
        HttpResponse<String> dplayer = get("/dplayer/v3/?id=6");
        assertThat(dplayer.statusCode()).isEqualTo(404);
        assertThat(json.readTree(dplayer.body()).get("reason").asString()).isEqualTo("video-not-found");
        assertThat(dplayer.body()).doesNotContain("posted before the delete");
        assertProblem(post(6, 2100, "{\"text\":\"hi\",\"playbackMs\":0}"), 404, "video-not-found");
    }

    @Test
    void aVideoDeletedWhileItsHistoryIsCachedIsNotFoundAtOnceAndBackWhenRestored() throws Exception {
        HttpResponse<String> sent = post(8, 2101, "{\"text\":\"still here\",\"playbackMs\":1000}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(201);
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", 8L) == 1);
        assertThat(getJson("/api/v1/videos/8/danmaku").get("items").size()).isEqualTo(1); // now cached

        // The event can arrive before video-service's delete commits (it is published inside that
        // transaction): the stand-in still says READY, and the event alone must be enough. The video stays
        // cached for 10 minutes in these tests, so only the event can make this 404. (Sent until seen: the
        // listener starts at the topic's end once it has its partitions.)
        await(videoEvents::ready);
        await(() -> {
            publish(
                    8,
                    "{\"type\":\"VideoDeleted\",\"version\":1,\"videoId\":8,\"ownerId\":7,"
                            + "\"objectKey\":\"videos/8/original\",\"deletedAt\":\"2026-12-02T12:00:00Z\"}");
            return status("/api/v1/videos/8/danmaku") == 404;
        });
        assertThat(status("/dplayer/v3/?id=8")).isEqualTo(404);
        assertThat(status("/api/v1/videos/8/danmaku.xml")).isEqualTo(404);
        assertProblem(post(8, 2102, "{\"text\":\"too late\",\"playbackMs\":0}"), 404, "video-not-found");

        publish(
                8,
                "{\"type\":\"VideoRestored\",\"version\":1,\"videoId\":8,\"ownerId\":7,"
                        + "\"restoredAt\":\"2026-12-02T12:01:00Z\"}");
        await(() -> status("/api/v1/videos/8/danmaku") == 200);
        assertThat(getJson("/api/v1/videos/8/danmaku")
                        .get("items")
                        .get(0)
                        .get("text")
                        .asString())
                .isEqualTo("still here");
    }

    private int status(String path) {
        try {
            return get(path).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void publish(long videoId, String event) {
        try {
            producer.send(new ProducerRecord<>("video.events", Long.toString(videoId), event))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
