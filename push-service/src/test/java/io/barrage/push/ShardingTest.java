package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.barrage.push.shard.Shards;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** This instance as shard 1 of 2: it serves its own videos and sends viewers of the others away. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "barrage.push.shard-index=1",
            "barrage.push.shard-count=2",
            "barrage.push.max-connections=2",
            "barrage.push.ping-interval=1s",
            "barrage.push.idle-timeout=3s",
            "barrage.push.allowed-origins=https://*.barrage.example"
        })
class ShardingTest {

    private static final int PARTITIONS = 12;

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.PUSH).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;

    private final HttpClient http = TestHttp.client();

    @Test
    void theShardFunctionIsKafkasOwnPartitioner() throws Exception {
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long videoId : LongStream.rangeClosed(1, 300).toArray()) {
                int partition = producer.send(new ProducerRecord<>(
                                "danmaku.events", Long.toString(videoId), "{\"type\":\"ShardProbe\",\"version\":1}"))
                        .get()
                        .partition();
                assertThat(Shards.partitionOf(videoId, PARTITIONS))
                        .as("partition of video %d", videoId)
                        .isEqualTo(partition);
            }
        }
    }

    @Test
    void aViewerOfAnotherShardsVideoIsToldWhereToGo() {
        long elsewhere = firstVideoOwnedBy(0);

        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + elsewhere),
                                new PushServiceTest.Viewer())
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                    assertThat(e.getResponse().statusCode()).isEqualTo(421);
                    assertThat(e.getResponse().headers().firstValue("X-Barrage-Shard"))
                            .contains("0");
                });

        HttpResponse<String> online = get("/api/v1/videos/" + elsewhere + "/online");
        assertThat(online.statusCode()).isEqualTo(421);
        assertThat(online.body()).contains("\"code\":\"wrong-shard\"").contains("\"shard\":0");
    }

    @Test
    void itsOwnVideosAreServedLive() throws Exception {
        long mine = firstVideoOwnedBy(1);
        PushServiceTest.Viewer viewer = new PushServiceTest.Viewer();
        viewer.socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + mine), viewer)
                .join();
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            PushServiceTest.await(() -> viewer.sawOnline(1));
            producer.send(new ProducerRecord<>(
                            "danmaku.events", Long.toString(mine), PushServiceTest.event(mine, 1, "mine")))
                    .get();
            PushServiceTest.await(() -> viewer.danmaku().size() == 1);
            assertThat(viewer.danmaku().getFirst().get("text").asString()).isEqualTo("mine");
            assertThat(get("/api/v1/videos/" + mine + "/online").body()).contains("\"count\":1");
        } finally {
            viewer.close();
        }
    }

    @Test
    void anUpgradeThatCannotBeServedIsRefusedWithAProblem() throws Exception {
        long mine = firstVideoOwnedBy(1);
        URI room = URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + mine);

        HttpResponse<String> plain = get("/ws/v1/videos/" + mine);
        assertThat(plain.statusCode()).isEqualTo(426);
        assertThat(plain.headers().firstValue("Upgrade")).contains("websocket");
        assertThat(plain.body()).contains("\"code\":\"upgrade-required\"");

        HttpResponse<String> post = TestHttp.on(port).send("POST", "/ws/v1/videos/" + mine, null);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.body()).contains("\"code\":\"method-not-allowed\"");

        assertThat(rawUpgrade(mine, "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"))
                .startsWith("HTTP/1.1 426")
                .contains("Sec-WebSocket-Version: 13");
        assertThat(rawUpgrade(mine, "Sec-WebSocket-Version: 13\r\n"))
                .startsWith("HTTP/1.1 400")
                .contains("\"code\":\"invalid-request\"");

        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .header("Origin", "https://evil.example")
                        .buildAsync(room, new PushServiceTest.Viewer())
                        .join())
                .cause()
                .isInstanceOfSatisfying(
                        WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));

        // Two viewers fill this shard (max-connections 2); the third is told to come back.
        List<PushServiceTest.Viewer> viewers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                PushServiceTest.Viewer viewer = new PushServiceTest.Viewer();
                viewer.socket = http.newWebSocketBuilder()
                        .header("Origin", "https://www.barrage.example")
                        .buildAsync(room, viewer)
                        .join();
                viewers.add(viewer);
            }
            assertThatThrownBy(() -> http.newWebSocketBuilder()
                            .buildAsync(room, new PushServiceTest.Viewer())
                            .join())
                    .cause()
                    .isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                        assertThat(e.getResponse().statusCode()).isEqualTo(503);
                        assertThat(e.getResponse().headers().firstValue("Retry-After"))
                                .contains("5");
                    });
        } finally {
            viewers.forEach(PushServiceTest.Viewer::close);
        }
        PushServiceTest.await(
                () -> get("/api/v1/videos/" + mine + "/online").body().contains("\"count\":0"));
    }

    /** Heartbeats on this shard: a ping every second, and 3 s of silence closes (25 s and 60 s by default). */
    @Test
    void aViewerThatAnswersPingsStaysAndASilentOneIsClosedWith1001() throws Exception {
        long mine = firstVideoOwnedBy(1);
        PushServiceTest.await(
                () -> get("/api/v1/videos/" + mine + "/online").body().contains("\"count\":0"));
        PushServiceTest.Viewer alive = new PushServiceTest.Viewer(); // the JDK client answers every ping
        alive.socket = http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + mine), alive)
                .join();
        try (java.net.Socket silent = new java.net.Socket("127.0.0.1", port)) {
            silent.setSoTimeout(15_000);
            silent.getOutputStream()
                    .write(("GET /ws/v1/videos/" + mine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.DataInputStream in = new java.io.DataInputStream(silent.getInputStream());
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            // It reads what comes and never answers: pings, then the close.
            int pings = 0;
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                byte[] payload = in.readNBytes(in.readUnsignedByte() & 0x7F); // server frames here are short
                if (opcode == 0x9) {
                    pings++;
                } else if (opcode == 0x8) {
                    assertThat(((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)).isEqualTo(1001);
                    break;
                }
            }
            assertThat(pings).isPositive();
        }
        Thread.sleep(2000); // more than the silence limit again: the viewer that answers is still there
        assertThat(alive.closeCode).isNull();
        assertThat(get("/api/v1/videos/" + mine + "/online").body()).contains("\"count\":1");
        alive.close();
    }

    /** An upgrade request with these extra header lines, on a bare socket; the response's head and body. */
    private String rawUpgrade(long videoId, String headers) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /ws/v1/videos/" + videoId + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\n" + headers + "Connection: close\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static long firstVideoOwnedBy(int shard) {
        return LongStream.iterate(1000, id -> id + 1)
                .filter(id -> Shards.ownerOf(id, PARTITIONS, 2) == shard)
                .findFirst()
                .orElseThrow();
    }

    private HttpResponse<String> get(String path) {
        return TestHttp.on(port).get(path);
    }
}
