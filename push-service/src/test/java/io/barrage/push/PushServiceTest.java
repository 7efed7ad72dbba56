package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PushServiceTest {

    private static final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.PUSH).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;

    private final HttpClient http = TestHttp.client();
    private final List<Viewer> viewers = new ArrayList<>();

    @AfterEach
    void disconnect() throws InterruptedException {
        viewers.forEach(Viewer::close);
        // Every test starts with no connection on the shard, so the connection gauge can be asserted exactly.
        await(() -> connectionGauge().equals("0.0"));
    }

    private String connectionGauge() {
        try {
            java.util.regex.Matcher gauge = java.util.regex.Pattern.compile(
                            "(?m)^barrage_push_connections(?:\\{[^}]*\\})? (\\S+)$")
                    .matcher(prometheus());
            return gauge.find() ? gauge.group(1) : "missing";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void viewersOfAVideoGetItsDanmakuLiveAndOthersDoNot() throws Exception {
        Viewer first = connect(7);
        Viewer second = connect(7);
        Viewer elsewhere = connect(8);

        // The second sees 2 on connect; the first learns it from the periodic count.
        await(() -> second.sawOnline(2) && first.sawOnline(2));
        assertThat(elsewhere.sawOnline(1)).isTrue();
        assertThat(online(7)).isEqualTo(2);
        assertThat(online(8)).isEqualTo(1);

        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("danmaku.events", "7", event(7, 1, "hello seven")))
                    .get();
            await(() -> first.danmaku().size() == 1 && second.danmaku().size() == 1);
            for (Viewer viewer : List.of(first, second)) {
                JsonNode item = viewer.danmaku().getFirst();
                assertThat(item.get("text").asString()).isEqualTo("hello seven");
                assertThat(item.get("seq").asLong()).isEqualTo(1);
                assertThat(item.get("videoId").asLong()).isEqualTo(7);
                assertThat(item.get("id").asString()).isEqualTo("7000001");
                assertThat(item.has("type"))
                        .as("the event's type is not part of the danmaku")
                        .isFalse();
                assertThat(item.has("version")).isFalse();
            }

            // Something else on the stream that this version does not understand is ignored.
            producer.send(new ProducerRecord<>("danmaku.events", "8", "{\"type\":\"DanmakuDeleted\",\"version\":1}"))
                    .get();
            producer.send(new ProducerRecord<>("danmaku.events", "8", "not json"))
                    .get();
            producer.send(new ProducerRecord<>("danmaku.events", "8", event(8, 1, "hello eight")))
                    .get();
            await(() -> elsewhere.danmaku().size() == 1);
            assertThat(elsewhere.danmaku().getFirst().get("text").asString()).isEqualTo("hello eight");
            assertThat(first.danmaku()).hasSize(1);
        }

        // What an SRE's dashboard reads: connections on this shard, and the latency of what was delivered.
        assertThat(connectionGauge()).isEqualTo("3.0");
        assertThat(prometheus())
                .containsPattern("(?m)^barrage_danmaku_delivery_latency_seconds_count(\\{[^}]*\\})? [1-9]");

        elsewhere.close();
        await(() -> online(8) == 0);
        await(() -> connectionGauge().equals("2.0"));
    }

    private String prometheus() throws Exception {
        return TestHttp.on(port).get("/actuator/prometheus").body();
    }

    @Test
    void aBurstArrivesBatchedAndInSeqOrder() throws Exception {
        Viewer viewer = connect(9);
        await(() -> viewer.sawOnline(1));

        try (KafkaProducer<String, String> producer = producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int seq = 1; seq <= 60; seq++) {
                sent.add(producer.send(new ProducerRecord<>("danmaku.events", "9", event(9, seq, "burst " + seq))));
            }
            for (var future : sent) {
                future.get();
            }
        }
        await(() -> viewer.danmaku().size() >= 60);

        assertThat(viewer.danmaku().stream().map(item -> item.get("seq").asLong()))
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, 60).boxed().toList());
        assertThat(viewer.danmakuFrames()).isLessThan(60).isGreaterThanOrEqualTo(2); // ≤ 50 per frame
    }

    /**
     * Frames are encoded to UTF-8 once per room and written as those bytes: text in any script arrives
     * intact, in a frame far larger than the container's frame buffer.
     */
    @Test
    void danmakuInAnyScriptArriveIntactInLargeFrames() throws Exception {
        Viewer viewer = connect(10);
        Viewer other = connect(10);
        await(() -> viewer.sawOnline(2) && other.sawOnline(2));
        String text = "弹幕 🎉 ça va — " + "长".repeat(20);
        try (KafkaProducer<String, String> producer = producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (int seq = 1; seq <= 40; seq++) {
                sent.add(producer.send(new ProducerRecord<>("danmaku.events", "10", event(10, seq, text + seq))));
            }
            for (var future : sent) {
                future.get();
            }
        }
        await(() -> viewer.danmaku().size() >= 40 && other.danmaku().size() >= 40);
        for (Viewer each : List.of(viewer, other)) {
            assertThat(each.danmaku().stream().map(item -> item.get("text").asString()))
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 40)
                            .mapToObj(seq -> text + seq)
                            .toList());
        }
    }

    @Test
    void anOversizedClientMessageClosesTheConnectionWith1009() throws Exception {
        Viewer viewer = connect(10);
        await(() -> viewer.sawOnline(1));
        viewer.socket.sendText("x".repeat(5000), true).get(5, TimeUnit.SECONDS);
        await(() -> viewer.closeCode != null);
        assertThat(viewer.closeCode).isEqualTo(1009);
        await(() -> online(10) == 0);
    }

    @Test
    void aBinaryMessageClosesWith1003AndAFloodOfMessagesWith1008() throws Exception {
        Viewer binary = connect(11);
        await(() -> binary.sawOnline(1));
        binary.socket
                .sendBinary(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), true)
                .get(5, TimeUnit.SECONDS);
        await(() -> binary.closeCode != null);
        assertThat(binary.closeCode).isEqualTo(1003);

        Viewer chatty = connect(11);
        await(() -> chatty.sawOnline(1));
        for (int i = 0; i < 40 && chatty.closeCode == null && !chatty.socket.isOutputClosed(); i++) {
            chatty.socket.sendText("{\"type\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
        }
        await(() -> chatty.closeCode != null);
        assertThat(chatty.closeCode).isEqualTo(1008);
        await(() -> online(11) == 0);

        // A few messages a second are fine: they only show the client is alive.
        Viewer calm = connect(11);
        await(() -> calm.sawOnline(1));
        for (int i = 0; i < 3; i++) {
            calm.socket.sendText("{\"type\":\"ping\"}", true).get(5, TimeUnit.SECONDS);
        }
        Thread.sleep(300);
        assertThat(calm.closeCode).isNull();
        assertThat(online(11)).isEqualTo(1);
    }

    @Test
    void aSinceThatIsNotASeqIsRefused() {
        for (String since : List.of("abc", "-1", "")) {
            assertThatThrownBy(() -> http.newWebSocketBuilder()
                            .buildAsync(
                                    URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/12?since=" + since),
                                    new Viewer())
                            .get(10, TimeUnit.SECONDS))
                    .as("since=%s", since)
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(400));
        }
    }

    @Test
    void aPathWithoutAVideoIdIsRefused() throws Exception {
        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/abc"), new Viewer())
                        .get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(WebSocketHandshakeException.class);

        HttpResponse<String> response = TestHttp.on(port).get("/api/v1/videos/abc/online");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json.readTree(response.body()).get("code").asString()).isEqualTo("invalid-request");
    }

    private Viewer connect(long videoId) throws Exception {
        Viewer viewer = new Viewer();
        viewer.socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + videoId), viewer)
                .get(10, TimeUnit.SECONDS);
        viewers.add(viewer);
        return viewer;
    }

    private int online(long videoId) {
        try {
            HttpResponse<String> response = TestHttp.on(port).get("/api/v1/videos/" + videoId + "/online");
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = json.readTree(response.body());
            assertThat(body.get("videoId").asLong()).isEqualTo(videoId);
            return body.get("count").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String event(long videoId, long seq, String text) {
        return json.writeValueAsString(json.createObjectNode()
                .put("type", "DanmakuCreated")
                .put("version", 1)
                .put("id", Long.toString(videoId * 1_000_000 + seq))
                .put("videoId", videoId)
                .put("seq", seq)
                .put("senderId", 42)
                .put("text", text)
                .put("playbackMs", 1000 + seq)
                .put("mode", "SCROLL")
                .put("color", 16777215)
                .put("size", "NORMAL")
                .put("createdAt", Instant.now().toString()));
    }

    static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("linger.ms", "0");
        return new KafkaProducer<>(props);
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A test client that keeps every whole text frame it receives. */
    static final class Viewer implements WebSocket.Listener {

        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile Integer closeCode;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(json.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return null;
        }

        boolean sawOnline(int count) {
            return frames.stream()
                    .anyMatch(f -> "online".equals(f.get("type").asString())
                            && f.get("count").asInt() == count);
        }

        List<JsonNode> danmaku() {
            List<JsonNode> items = new ArrayList<>();
            frames.stream()
                    .filter(f -> "danmaku".equals(f.get("type").asString()))
                    .forEach(f -> f.get("items").forEach(items::add));
            return items;
        }

        long danmakuFrames() {
            return frames.stream()
                    .filter(f -> "danmaku".equals(f.get("type").asString()))
                    .count();
        }

        void close() {
            if (socket != null && !socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS);
            }
        }
    }
}
