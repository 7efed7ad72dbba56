package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two push shards of two in this JVM (two application contexts on real Kafka), and a stand-in for
 * danmaku-service's history endpoint (danmaku-service itself is a separate Boot application that cannot
 * run in this module's test JVM; its endpoint is tested against MariaDB in danmaku-service's own tests).
 * Shard 1 has a small ring (20 seqs), a small send buffer (64 KiB) and a small catch-up bound (100 seqs in
 * pages of 25), so that resumes reach into history and past the bound, and slow viewers overflow quickly.
 *
 * <p>The scenarios are split by feature ({@link LiveDeliveryTest}, {@link LiveResumeTest}); each class
 * starts its own two shards and stand-in.
 */
abstract class LiveShardsTestBase {

    static final int PARTITIONS = 12;
    static final int CATCH_UP_LIMIT = 100;
    static final int CATCH_UP_PAGE = 25;
    static final JsonMapper json = JsonMapper.builder().build();
    static final HttpClient http = TestHttp.client();

    /** What the stand-in history holds, per video, in seq order. */
    static final Map<Long, List<ObjectNode>> stored = new ConcurrentHashMap<>();
    /** The next answer for such a video is complete only up to this seq, as if persistence lagged. */
    static final Map<Long, Long> lagging = new ConcurrentHashMap<>();
    /** Videos whose history answers 500. */
    static final Set<Long> failing = ConcurrentHashMap.newKeySet();

    static final Map<Long, AtomicInteger> historyCalls = new ConcurrentHashMap<>();
    /** Per video: the largest page asked for, and how many items were handed out in all. */
    static final Map<Long, Integer> largestPage = new ConcurrentHashMap<>();

    static final Map<Long, AtomicInteger> itemsServed = new ConcurrentHashMap<>();
    static HttpServer history;
    static final ConfigurableApplicationContext[] shards = new ConfigurableApplicationContext[2];

    final List<Client> clients = new ArrayList<>();

    @BeforeAll
    static void startShards() throws IOException {
        history = startHistory();
        shards[0] = startShard(0);
        shards[1] = startShard(1);
    }

    @AfterAll
    static void stopShards() {
        for (ConfigurableApplicationContext shard : shards) {
            if (shard != null) {
                shard.close();
            }
        }
        history.stop(0);
    }

    @AfterEach
    void disconnect() {
        clients.forEach(Client::close);
    }

    static ConfigurableApplicationContext startShard(int index) {
        Map<String, Object> props = new HashMap<>(TestInfra.springProperties(Service.PUSH));
        props.put("server.port", "0");
        props.put("barrage.push.shard-index", index);
        props.put("barrage.push.shard-count", 2);
        props.put(
                "spring.cloud.discovery.client.simple.instances.danmaku-service[0].uri",
                "http://127.0.0.1:" + history.getAddress().getPort());
        if (index == 1) {
            props.put("barrage.push.ring-size", 20);
            props.put("barrage.push.catch-up-limit", CATCH_UP_LIMIT);
            props.put("barrage.push.catch-up-page", CATCH_UP_PAGE);
            props.put("barrage.push.send-buffer-bytes", 65536);
            // A stuck viewer is let go only after a minute, so a fast viewer held up behind one would show
            // it as a delay of a minute, far past the bound the slow-client test allows (ViewerTest covers
            // the time limit itself).
            props.put("barrage.push.send-time-limit", "60s");
        }
        // As arguments: they must win over application.yml (server.port in particular).
        String[] args = props.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        return index == 1
                ? new SpringApplicationBuilder(PushApplication.class, OwnNettyResources.class, SmallSocketBuffers.class)
                        .run(args)
                : new SpringApplicationBuilder(PushApplication.class, OwnNettyResources.class).run(args);
    }

    static int port(int shard) {
        return Integer.parseInt(shards[shard].getEnvironment().getProperty("local.server.port"));
    }

    static Rooms rooms(int shard) {
        return shards[shard].getBean(Rooms.class);
    }

    /** Like PushServiceTest.await, but a timeout shows what this test's clients received. */
    void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                StringBuilder state = new StringBuilder("condition not met within 20 s; clients:");
                for (Client client : clients) {
                    state.append("\n  seqs ")
                            .append(client.seqs().size())
                            .append(client.seqs().size() <= 20 ? client.seqs().toString() : "")
                            .append(" gaps ")
                            .append(client.gaps())
                            .append(" deleted ")
                            .append(client.deletedIds())
                            .append(" close ")
                            .append(client.closeCode);
                }
                throw new AssertionError(state.toString());
            }
            Thread.sleep(50);
        }
    }

    static long videoOwnedBy(int shard, long from) {
        return LongStream.iterate(from, id -> id + 1)
                .filter(id -> Shards.ownerOf(id, PARTITIONS, 2) == shard)
                .findFirst()
                .orElseThrow();
    }

    static String id(long videoId, long seq) {
        return Long.toString(videoId * 1_000_000 + seq);
    }

    static String created(long videoId, long seq, String text) {
        return PushServiceTest.event(videoId, seq, text);
    }

    static String deleted(long videoId, String id, long seq) {
        return json.writeValueAsString(json.createObjectNode()
                .put("type", "DanmakuDeleted")
                .put("version", 1)
                .put("id", id)
                .put("videoId", videoId)
                .put("seq", seq));
    }

    static void send(KafkaProducer<String, String> producer, long videoId, String event) {
        try {
            producer.send(new ProducerRecord<>("danmaku.events", Long.toString(videoId), event))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Client connect(int shard, long videoId, Long since) {
        Client client = new Client();
        client.socket = http.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port(shard) + "/ws/v1/videos/" + videoId
                                + (since == null ? "" : "?since=" + since)),
                        client)
                .join();
        clients.add(client);
        return client;
    }

    static int online(int shard, long videoId) {
        try {
            HttpResponse<String> response = TestHttp.on(port(shard)).get("/api/v1/videos/" + videoId + "/online");
            assertThat(response.statusCode()).isEqualTo(200);
            return json.readTree(response.body()).get("count").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpServer startHistory() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/internal/v1/videos/", exchange -> {
            String[] path = exchange.getRequestURI().getPath().split("/");
            long videoId = Long.parseLong(path[4]);
            Map<String, String> query = new HashMap<>();
            for (String pair : exchange.getRequestURI().getQuery().split("&")) {
                String[] kv = pair.split("=");
                query.put(kv[0], kv[1]);
            }
            historyCalls.computeIfAbsent(videoId, v -> new AtomicInteger()).incrementAndGet();
            int status = 200;
            String body;
            if (!TestInfra.get()
                    .serviceToken()
                    .equals(exchange.getRequestHeaders().getFirst("X-Service-Token"))) {
                status = 401;
                body = "{\"code\":\"service-credential-required\"}";
            } else if (failing.contains(videoId)) {
                status = 500;
                body = "{\"code\":\"internal-error\"}";
            } else {
                try {
                    Thread.sleep(300); // slow enough for live danmaku to arrive meanwhile
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                List<ObjectNode> items = stored.getOrDefault(videoId, List.of());
                long published =
                        items.isEmpty() ? 0 : items.getLast().get("seq").asLong();
                Long lag = lagging.remove(videoId);
                long persisted = lag != null ? lag : published;
                long after = Long.parseLong(query.get("seq"));
                int limit = Integer.parseInt(query.get("limit"));
                List<ObjectNode> page = items.stream()
                        .filter(i ->
                                i.get("seq").asLong() > after && i.get("seq").asLong() <= persisted)
                        .toList();
                ObjectNode answer = json.createObjectNode();
                answer.put("videoId", videoId);
                answer.putArray("items").addAll(page.subList(0, Math.min(limit, page.size())));
                largestPage.merge(videoId, limit, Math::max);
                itemsServed.computeIfAbsent(videoId, v -> new AtomicInteger()).addAndGet(Math.min(limit, page.size()));
                answer.put("more", page.size() > limit);
                answer.put("persistedSeq", persisted);
                answer.put("publishedSeq", published);
                body = json.writeValueAsString(answer);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    /**
     * Each shard its own Reactor Netty event loops: by default every context in a JVM shares the global ones,
     * and closing one shard (as a test here does) would shut down the other's server with them.
     */
    static class OwnNettyResources {

        @Bean
        org.springframework.http.client.ReactorResourceFactory reactorResourceFactory() {
            org.springframework.http.client.ReactorResourceFactory factory =
                    new org.springframework.http.client.ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        }
    }

    /**
     * Shard 1's sockets get a small kernel send buffer (not annotated, so no other context scans it up): a
     * client that stops reading then stalls the writes to it after a few KiB instead of the kernel soaking
     * up megabytes, which is what the slow-client test needs to be deterministic.
     */
    static class SmallSocketBuffers {

        @Bean
        NettyServerCustomizer smallSendBuffer() {
            return server -> server.childOption(io.netty.channel.ChannelOption.SO_SNDBUF, 8192);
        }
    }

    /** A test viewer that keeps every frame with the time it arrived. */
    static final class Client implements WebSocket.Listener {

        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        /** Arrival time of each danmaku item, in the order of {@link #seqs()}. */
        final List<Long> arrivals = new CopyOnWriteArrayList<>();

        private final List<Long> seqs = new CopyOnWriteArrayList<>();
        private final List<JsonNode> items = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        volatile Integer closeCode;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                long now = System.nanoTime();
                JsonNode frame = json.readTree(partial.toString());
                partial.setLength(0);
                if (frame.get("type").asString().equals("danmaku")) {
                    for (JsonNode item : frame.get("items")) {
                        items.add(item);
                        arrivals.add(now);
                        seqs.add(item.get("seq").asLong());
                    }
                }
                frames.add(frame);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (closeCode == null) {
                closeCode = 1006;
            }
        }

        List<Long> seqs() {
            return seqs;
        }

        List<JsonNode> items() {
            return items;
        }

        List<String> deletedIds() {
            List<String> ids = new ArrayList<>();
            frames.stream()
                    .filter(f -> f.get("type").asString().equals("deleted"))
                    .forEach(f -> f.get("ids").forEach(id -> ids.add(id.asString())));
            return ids;
        }

        List<JsonNode> gaps() {
            return frames.stream()
                    .filter(f -> f.get("type").asString().equals("gap"))
                    .toList();
        }

        boolean sawOnline(int count) {
            return frames.stream()
                    .anyMatch(f -> f.get("type").asString().equals("online")
                            && f.get("count").asInt() == count);
        }

        int lastOnline() {
            return frames.stream()
                    .filter(f -> f.get("type").asString().equals("online"))
                    .reduce((x, y) -> y)
                    .map(f -> f.get("count").asInt())
                    .orElse(-1);
        }

        void close() {
            if (socket != null && !socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A WebSocket client on a bare socket with a tiny receive buffer that reads nothing until asked: the
     * slowest possible viewer.
     */
    static final class RawClient implements AutoCloseable {

        record Result(JsonNode gap, Integer closeCode, List<Long> seqs) {}

        private final Socket socket = new Socket();
        private final DataInputStream in;

        RawClient(int port, long videoId) throws IOException {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            socket.getOutputStream()
                    .write(("GET /ws/v1/videos/" + videoId + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            in = new DataInputStream(socket.getInputStream());
            StringBuilder headers = new StringBuilder();
            while (!headers.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed during the handshake: " + headers);
                }
                headers.append((char) b);
            }
            assertThat(headers.toString()).startsWith("HTTP/1.1 101");
        }

        Result readUntilGapOrClose(int timeoutMillis) throws IOException {
            socket.setSoTimeout(timeoutMillis);
            List<Long> seqs = new ArrayList<>();
            java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
            int messageOpcode = 0;
            while (true) {
                int b0;
                try {
                    b0 = in.read();
                } catch (java.net.SocketTimeoutException e) {
                    return new Result(null, null, seqs);
                }
                if (b0 < 0) {
                    return new Result(null, 1006, seqs);
                }
                ServerFrames.Payload read = ServerFrames.payload(in);
                if (read.cutOff()) {
                    return new Result(null, 1006, seqs); // cut off mid-frame: the server dropped it
                }
                byte[] payload = read.bytes();
                int opcode = b0 & 0x0F;
                boolean fin = (b0 & 0x80) != 0;
                if (opcode == 8) {
                    int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                    return new Result(null, code, seqs);
                }
                if (opcode == 9 || opcode == 10) {
                    continue; // ping / pong
                }
                if (opcode != 0) {
                    messageOpcode = opcode;
                    message.reset();
                }
                message.write(payload);
                if (fin && messageOpcode == 1) {
                    JsonNode frame = json.readTree(message.toString(StandardCharsets.UTF_8));
                    switch (frame.get("type").asString()) {
                        case "gap" -> {
                            return new Result(frame, null, seqs);
                        }
                        case "danmaku" ->
                            frame.get("items")
                                    .forEach(item -> seqs.add(item.get("seq").asLong()));
                        default -> {}
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
