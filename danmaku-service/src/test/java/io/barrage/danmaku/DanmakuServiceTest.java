package io.barrage.danmaku;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DanmakuServiceTest extends DanmakuTestBase {

    @Test
    @Order(1)
    void aPostIsAcknowledgedWithConsecutiveSeqs() throws Exception {
        HttpResponse<String> first = post(1, "{\"text\":\"  hello 弹幕 😀 \",\"playbackMs\":1500}", "request-id-0001");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("X-Request-Id")).hasValue("request-id-0001");
        JsonNode body = json.readTree(first.body());
        assertThat(body.get("id").isString()).isTrue();
        assertThat(body.get("videoId").asLong()).isEqualTo(1);
        assertThat(body.get("seq").asLong()).isEqualTo(1);
        assertThat(body.get("senderId").asLong()).isEqualTo(42);
        assertThat(body.get("text").asString()).isEqualTo("hello 弹幕 😀");
        assertThat(body.get("playbackMs").asLong()).isEqualTo(1500);
        assertThat(body.get("mode").asString()).isEqualTo("SCROLL");
        assertThat(body.get("color").asInt()).isEqualTo(16777215);
        assertThat(body.get("size").asString()).isEqualTo("NORMAL");
        assertThat(body.get("createdAt").asString()).endsWith("Z");
        // The Feign call carried the credential (else the fake answers 401) and the request id.
        assertThat(lastRequestIdSeen.get()).isEqualTo("request-id-0001");

        HttpResponse<String> second =
                post(1, "{\"text\":\"second\",\"playbackMs\":500,\"mode\":\"TOP\",\"color\":255,\"size\":\"LARGE\"}");
        assertThat(second.statusCode()).isEqualTo(201);
        JsonNode secondBody = json.readTree(second.body());
        assertThat(secondBody.get("seq").asLong()).isEqualTo(2);
        assertThat(Long.parseLong(secondBody.get("id").asString()))
                .isGreaterThan(Long.parseLong(body.get("id").asString()));
        assertThat(secondBody.get("mode").asString()).isEqualTo("TOP");
        assertThat(secondBody.get("color").asInt()).isEqualTo(255);
        assertThat(secondBody.get("size").asString()).isEqualTo("LARGE");
    }

    @Test
    @Order(2)
    void historyServesPersistedDanmakuByPlaybackTime() throws Exception {
        await(() -> rowsOfVideo(1) >= 2);

        JsonNode items = getJson("/api/v1/videos/1/danmaku?fromMs=0&toMs=60000").get("items");
        assertThat(items.size()).isEqualTo(2);
        assertThat(items.get(0).get("text").asString()).isEqualTo("second");
        assertThat(items.get(0).get("playbackMs").asLong()).isEqualTo(500);
        assertThat(items.get(1).get("text").asString()).isEqualTo("hello 弹幕 😀");
        assertThat(items.get(1).get("seq").asLong()).isEqualTo(1);
        assertThat(items.get(1).get("senderId").asLong()).isEqualTo(42);

        JsonNode window =
                getJson("/api/v1/videos/1/danmaku?fromMs=1000&toMs=2000").get("items");
        assertThat(window.size()).isEqualTo(1);
        assertThat(window.get(0).get("playbackMs").asLong()).isEqualTo(1500);

        assertThat(getJson("/api/v1/videos/1/danmaku?limit=1").get("items").size())
                .isEqualTo(1);
        assertProblem(get("/api/v1/videos/2/danmaku"), 404, "video-not-found"); // unknown, like the video

        assertProblem(get("/api/v1/videos/1/danmaku?fromMs=10&toMs=5"), 400, "invalid-request");
        assertProblem(get("/api/v1/videos/1/danmaku?limit=0"), 400, "invalid-request");
        assertProblem(get("/api/v1/videos/1/danmaku?limit=5001"), 400, "invalid-request");
        assertProblem(get("/api/v1/videos/1/danmaku?fromMs=abc"), 400, "invalid-request");
    }

    @Test
    @Order(3)
    void aRedeliveredEventMakesNoSecondRow() throws Exception {
        HttpResponse<String> response = post(1, "{\"text\":\"once\",\"playbackMs\":3000}");
        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode danmaku = json.readTree(response.body());
        String id = danmaku.get("id").asString();
        await(() -> rowsWithId(id) == 1);

        ObjectNode event = json.createObjectNode();
        event.put("type", "DanmakuCreated");
        event.put("version", 1);
        event.setAll((ObjectNode) danmaku);
        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("danmaku.events", "1", json.writeValueAsString(event)))
                    .get();
        }
        // A later danmaku on the same video (same partition) being stored means the copy was consumed too.
        HttpResponse<String> later = post(1, "{\"text\":\"after the copy\",\"playbackMs\":3001}");
        String laterId = json.readTree(later.body()).get("id").asString();
        await(() -> rowsWithId(laterId) == 1);

        assertThat(rowsWithId(id)).isEqualTo(1);
        assertThat(getJson("/api/v1/videos/1/danmaku?fromMs=3000&toMs=3000")
                        .get("items")
                        .size())
                .isEqualTo(1);
    }

    @Test
    @Order(4)
    void eachInvalidInputHasItsOwnCode() throws Exception {
        assertProblem(post(1, "{\"text\":\"   \",\"playbackMs\":0}"), 400, "text-empty");
        assertProblem(post(1, "{\"playbackMs\":0}"), 400, "text-empty");
        assertProblem(post(1, "{\"text\":\"" + "😀".repeat(101) + "\",\"playbackMs\":0}"), 400, "text-too-long");
        assertProblem(post(1, "{\"text\":\"a\\u0007b\",\"playbackMs\":0}"), 400, "control-characters");
        assertProblem(post(1, "{\"text\":\"a\\u200Bb\",\"playbackMs\":0}"), 400, "control-characters");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":60001}"), 400, "playback-out-of-range");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":-1}"), 400, "playback-out-of-range");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":0,\"mode\":\"SIDEWAYS\"}"), 400, "invalid-mode");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":0,\"color\":16777216}"), 400, "invalid-color");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":0,\"color\":-1}"), 400, "invalid-color");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":0,\"size\":\"HUGE\"}"), 400, "invalid-size");
        assertProblem(post(1, "{\"text\":\"hi\",\"playbackMs\":"), 400, "malformed-json");
        assertProblem(post(1, "not json"), 400, "malformed-json");
        HttpResponse<String> wrongType = post(1, "{\"text\":\"hi\",\"playbackMs\":\"soon\"}");
        assertProblem(wrongType, 400, "invalid-request");
        assertThat(json.readTree(wrongType.body()).get("field").asString()).isEqualTo("playbackMs");
        assertThat(wrongType.body()).doesNotContain("io.barrage");
        assertProblem(post(1, "{\"text\":\"hi\"}"), 400, "invalid-request");
        // Nothing invalid was stored or sequenced: the next valid one continues the seqs.
        assertThat(rowsWithText("hi")).isZero();
    }

    @Test
    @Order(5)
    void onlyATrustedUserMaySend() throws Exception {
        HttpRequest anonymous = HttpRequest.newBuilder(uri("/api/v1/videos/1/danmaku"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\",\"playbackMs\":0}"))
                .build();
        assertProblem(http.send(anonymous, HttpResponse.BodyHandlers.ofString()), 401, "unauthenticated");

        HttpRequest forged = HttpRequest.newBuilder(uri("/api/v1/videos/1/danmaku"))
                .header("Content-Type", "application/json")
                .header("X-User-Id", "42")
                .header("X-Service-Token", "not-the-token")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"hi\",\"playbackMs\":0}"))
                .build();
        assertProblem(http.send(forged, HttpResponse.BodyHandlers.ofString()), 401, "unauthenticated");
    }

    @Test
    @Order(6)
    void unknownOrUnreadyVideosAreNotFound() throws Exception {
        assertProblem(post(999, "{\"text\":\"hi\",\"playbackMs\":0}"), 404, "video-not-found");
        assertProblem(post(3, "{\"text\":\"hi\",\"playbackMs\":0}"), 404, "video-not-found");
        assertProblem(get("/api/v1/nowhere"), 404, "not-found");
    }

    @Test
    @Order(100)
    void withoutVideoServiceDanmakuAreRefused() throws Exception {
        videoServiceUp.set(false);
        try {
            assertProblem(post(4, "{\"text\":\"hi\",\"playbackMs\":0}"), 503, "video-service-unavailable");
        } finally {
            videoServiceUp.set(true);
        }
    }

    private HttpResponse<String> post(long videoId, String body, String requestId) throws Exception {
        return post(videoId, 42, body, "X-Request-Id", requestId);
    }

    private long rowsOfVideo(long videoId) {
        return count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", videoId);
    }

    private long rowsWithText(String text) {
        return count("SELECT COUNT(*) FROM danmaku WHERE text = ?", text);
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        return new KafkaProducer<>(props);
    }
}
