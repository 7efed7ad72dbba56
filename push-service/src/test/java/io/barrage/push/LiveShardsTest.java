package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 */
class LiveShardsTest {

    private static final int PARTITIONS = 12;
    private static final int CATCH_UP_LIMIT = 100;
    private static final int CATCH_UP_PAGE = 25;
    private static final JsonMapper json = JsonMapper.builder().build();
    private static final HttpClient http = HttpClient.newHttpClient();

    /** What the stand-in history holds, per video, in seq order. */
    private static final Map<Long, List<ObjectNode>> stored = new ConcurrentHashMap<>();
    /** The next answer for such a video is complete only up to this seq, as if persistence lagged. */
    private static final Map<Long, Long> lagging = new ConcurrentHashMap<>();
    /** Videos whose history answers 500. */
    private static final Set<Long> failing = ConcurrentHashMap.newKeySet();

    private static final Map<Long, AtomicInteger> historyCalls = new ConcurrentHashMap<>();
    /** Per video: the largest page asked for, and how many items were handed out in all. */
    private static final Map<Long, Integer> largestPage = new ConcurrentHashMap<>();

    private static final Map<Long, AtomicInteger> itemsServed = new ConcurrentHashMap<>();
    private static HttpServer history;
    private static final ConfigurableApplicationContext[] shards = new ConfigurableApplicationContext[2];

    private final List<Client> clients = new ArrayList<>();

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

    private static ConfigurableApplicationContext startShard(int index) {
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

    private static int port(int shard) {
        return Integer.parseInt(shards[shard].getEnvironment().getProperty("local.server.port"));
    }

    private static Rooms rooms(int shard) {
        return shards[shard].getBean(Rooms.class);
    }

    @Test
    void viewersLandOnTheOwningShardEachShardReadsOnlyItsVideosAndCountsAreExact() throws Exception {
        long a = videoOwnedBy(0, 20_000);
        long b = videoOwnedBy(1, 20_000);

        assertThatThrownBy(() -> connect(1, a, null))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(421));

        Client a1 = connect(0, a, null);
        Client a2 = connect(0, a, null);
        Client b1 = connect(1, b, null);
        await(() -> a2.sawOnline(2) && b1.sawOnline(1));
        assertThat(online(0, a)).isEqualTo(2);
        assertThat(online(1, b)).isEqualTo(1);

        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            send(producer, a, created(a, 1, "for a"));
            send(producer, b, created(b, 1, "for b"));
        }
        await(() -> a1.seqs().size() == 1 && a2.seqs().size() == 1 && b1.seqs().size() == 1);
        assertThat(a1.items().getFirst().get("text").asString()).isEqualTo("for a");
        assertThat(b1.items().getFirst().get("text").asString()).isEqualTo("for b");
        // Each shard's feed saw only its own video.
        assertThat(rooms(0).lastSeq(a)).isEqualTo(1);
        assertThat(rooms(1).lastSeq(a)).isZero();
        assertThat(rooms(1).lastSeq(b)).isEqualTo(1);
        assertThat(rooms(0).lastSeq(b)).isZero();

        Client a3 = connect(0, a, null);
        await(() -> a3.sawOnline(3));
        assertThat(online(0, a)).isEqualTo(3);
        a2.close();
        await(() -> online(0, a) == 2);
        // The periodic count (every 5 s) tells the others exactly.
        await(() -> a1.lastOnline() == 2 && a3.lastOnline() == 2);
        assertThat(a3.seqs()).as("joined after it: not replayed without since").isEmpty();
    }

    @Test
    void deletedAndVoidedDanmakuAreRemovedFromScreensAndSkippedOnResume() throws Exception {
        long c = videoOwnedBy(0, 21_000);
        Client viewer = connect(0, c, null);
        await(() -> viewer.sawOnline(1));
        String first = id(c, 1);
        String voided = "9" + id(c, 3);
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            send(producer, c, created(c, 1, "one"));
            send(producer, c, created(c, 2, "two"));
            // On screen first (a deletion within the same batch window would just keep it out of the frame).
            await(() -> viewer.seqs().size() == 2);
            send(producer, c, deleted(c, first, 1)); // its sender deleted it
            send(producer, c, deleted(c, voided, 3)); // the sequencer voided seq 3
            send(producer, c, created(c, 4, "four"));
        }
        await(() -> viewer.seqs().size() == 3 && viewer.deletedIds().size() == 2);
        assertThat(viewer.seqs()).containsExactly(1L, 2L, 4L);
        assertThat(viewer.deletedIds()).containsExactly(first, voided);
        JsonNode deletedFrame = viewer.frames.stream()
                .filter(f -> f.get("type").asString().equals("deleted"))
                .findFirst()
                .orElseThrow();
        assertThat(deletedFrame.get("ids").get(0).isString()).isTrue();
        assertThat(viewer.gaps()).as("a voided seq is no gap").isEmpty();
        assertThat(rooms(0).lastSeq(c)).isEqualTo(4);

        // Resuming from the ring: the deleted and the voided ones are not replayed...
        Client fresh = connect(0, c, 0L);
        await(() -> fresh.seqs().size() == 2);
        assertThat(fresh.seqs()).containsExactly(2L, 4L);
        // ...and a viewer that had the first one is told to remove it.
        Client hadFirst = connect(0, c, 1L);
        await(() -> hadFirst.seqs().size() == 2 && hadFirst.deletedIds().contains(first));
        assertThat(hadFirst.seqs()).containsExactly(2L, 4L);
        assertThat(fresh.gaps()).isEmpty();
        assertThat(historyCalls).doesNotContainKey(c);
    }

    @Test
    void whenAShardDiesItsViewersResumeOnItsRestartAndGetEveryDanmakuOnceInOrder() throws Exception {
        long d = videoOwnedBy(0, 22_000);
        int total = 150;
        long voidedSeq = 100;
        Client before = connect(0, d, null);
        await(() -> before.sawOnline(1));

        Thread publisher = Thread.ofVirtual().start(() -> {
            try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
                for (long seq = 1; seq <= total; seq++) {
                    send(
                            producer,
                            d,
                            seq == voidedSeq ? deleted(d, "9" + id(d, seq), seq) : created(d, seq, "stream " + seq));
                    Thread.sleep(40);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(() -> before.seqs().size() >= 30);
        shards[0].close(); // the shard dies mid-stream; the publisher goes on
        await(() -> before.closeCode != null);
        long lastSeen = before.seqs().getLast();
        assertThat(lastSeen).isLessThan(total);

        shards[0] = startShard(0);
        Client after = connect(0, d, lastSeen);
        publisher.join(TimeUnit.SECONDS.toMillis(60));
        await(() -> !after.seqs().isEmpty() && after.seqs().getLast() == total);

        List<Long> all = new ArrayList<>(before.seqs());
        all.addAll(after.seqs());
        assertThat(all)
                .as("every danmaku exactly once, in seq order, across the restart")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total)
                        .filter(seq -> seq != voidedSeq)
                        .boxed()
                        .toList());
        assertThat(after.gaps()).isEmpty();
    }

    @Test
    void aResumeOlderThanTheRingReadsHistoryWaitsForItToCatchUpAndJoinsLiveWithoutASeam() throws Exception {
        long e = videoOwnedBy(1, 23_000);
        List<ObjectNode> history = new ArrayList<>();
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 60; seq++) {
                if (seq == 40) {
                    send(producer, e, deleted(e, "9" + id(e, seq), seq)); // voided: never in history
                    continue;
                }
                String event = created(e, seq, "e" + seq);
                send(producer, e, event);
                if (seq != 30) {
                    ObjectNode item = (ObjectNode) json.readTree(event);
                    item.remove("type");
                    item.remove("version");
                    history.add(item);
                }
            }
            send(producer, e, deleted(e, id(e, 30), 30)); // deleted afterwards: gone from history too
            await(() -> rooms(1).lastSeq(e) == 60);
            stored.put(e, history);
            lagging.put(e, 25L); // the first answer: persisted only up to seq 25

            // The ring holds seqs 41..60; the viewer saw up to 10.
            Client viewer = connect(1, e, 10L);
            for (long seq = 61; seq <= 70; seq++) {
                send(producer, e, created(e, seq, "e" + seq)); // live, while it catches up
            }
            await(() -> !viewer.seqs().isEmpty() && viewer.seqs().getLast() == 70);
            List<Long> expected = LongStream.rangeClosed(11, 70)
                    .filter(seq -> seq != 30 && seq != 40)
                    .boxed()
                    .toList();
            assertThat(viewer.seqs()).containsExactlyElementsOf(expected);
            assertThat(viewer.gaps()).isEmpty();
            assertThat(historyCalls.get(e).get())
                    .as("asked again once history caught up")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * A viewer resuming with since=0 on a video this shard has no state for: the shard once read the whole
     * history into memory (here 500 seqs; in the field a video's lifetime).
     */
    @Test
    void aResumeFromTheStartOfALongHistoryGetsAGapThenTheNewestSeqsOnceInOrderAPageAtATime() throws Exception {
        long h = videoOwnedBy(1, 26_000);
        int inHistory = 500;
        List<ObjectNode> history = new ArrayList<>();
        for (long seq = 1; seq <= inHistory; seq++) {
            ObjectNode item = (ObjectNode) json.readTree(created(h, seq, "h" + seq));
            item.remove("type");
            item.remove("version");
            history.add(item);
        }
        stored.put(h, history); // in history only: this shard has seen nothing of the video

        Client viewer = connect(1, h, 0L);
        await(() -> viewer.sawOnline(1));
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = inHistory + 1; seq <= inHistory + 10; seq++) {
                send(producer, h, created(h, seq, "h" + seq)); // live, while it catches up
            }
        }
        await(() -> !viewer.seqs().isEmpty() && viewer.seqs().getLast() == inHistory + 10);

        assertThat(viewer.gaps()).hasSize(1);
        JsonNode gap = viewer.gaps().getFirst();
        assertThat(gap.get("fromSeq").asLong()).isEqualTo(1);
        assertThat(gap.get("toSeq").asLong()).isEqualTo(inHistory - CATCH_UP_LIMIT);
        assertThat(viewer.seqs())
                .as("the newest %d from history, then live, each once, in order", CATCH_UP_LIMIT)
                .containsExactlyElementsOf(LongStream.rangeClosed(inHistory - CATCH_UP_LIMIT + 1, inHistory + 10)
                        .boxed()
                        .toList());
        int firstDanmakuAt = viewer.frames.indexOf(viewer.frames.stream()
                .filter(fr -> fr.get("type").asString().equals("danmaku"))
                .findFirst()
                .orElseThrow());
        assertThat(viewer.frames.indexOf(gap)).as("the gap comes first").isLessThan(firstDanmakuAt);
        // What the shard held at once: one page; what it read: the bound and the first page it asked for.
        assertThat(largestPage.get(h)).isLessThanOrEqualTo(CATCH_UP_PAGE);
        assertThat(itemsServed.get(h).get()).isLessThanOrEqualTo(CATCH_UP_LIMIT + CATCH_UP_PAGE);
    }

    @Test
    void whenHistoryIsUnavailableTheViewerIsToldWhatItMissed() throws Exception {
        long f = videoOwnedBy(1, 24_000);
        failing.add(f);
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 40; seq++) {
                send(producer, f, created(f, seq, "f" + seq));
            }
        }
        await(() -> rooms(1).lastSeq(f) == 40);
        Client viewer = connect(1, f, 5L);
        await(() -> viewer.seqs().size() == 20);
        assertThat(viewer.gaps()).hasSize(1);
        assertThat(viewer.gaps().getFirst().get("fromSeq").asLong()).isEqualTo(6);
        assertThat(viewer.gaps().getFirst().get("toSeq").asLong()).isEqualTo(20);
        assertThat(viewer.seqs())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(21, 40).boxed().toList());
        int gapAt = viewer.frames.indexOf(viewer.gaps().getFirst());
        int firstDanmakuAt = viewer.frames.indexOf(viewer.frames.stream()
                .filter(fr -> fr.get("type").asString().equals("danmaku"))
                .findFirst()
                .orElseThrow());
        assertThat(gapAt).as("the gap comes before what follows it").isLessThan(firstDanmakuAt);
    }

    @Test
    void aClientThatStopsReadingIsSkippedAheadWithoutDelayingAFastOne() throws Exception {
        long g = videoOwnedBy(1, 25_000);
        int total = 1000;
        String text = "x".repeat(200);
        Client fast = connect(1, g, null);
        try (RawClient slow = new RawClient(port(1), g)) {
            await(() -> fast.sawOnline(2));
            Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
            try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
                List<Future<?>> acks = new ArrayList<>();
                for (long seq = 1; seq <= total; seq++) {
                    publishedAt.put(seq, System.nanoTime());
                    acks.add(producer.send(
                            new ProducerRecord<>("danmaku.events", Long.toString(g), created(g, seq, text + seq))));
                    if (seq % 20 == 0) {
                        Thread.sleep(50); // about 400 a second, 1/4 MB/s: a busy room, not a flood
                    }
                }
                for (Future<?> ack : acks) {
                    ack.get();
                }
            }
            await(() -> fast.seqs().size() == total);
            assertThat(fast.seqs())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());
            long worstMillis = 0;
            for (int i = 0; i < total; i++) {
                long seq = fast.seqs().get(i);
                worstMillis = Math.max(worstMillis, (fast.arrivals.get(i) - publishedAt.get(seq)) / 1_000_000);
            }
            // Generous for a loaded machine, and still a quarter of the time a stuck viewer is kept.
            assertThat(worstMillis).as("the fast client's worst delay").isLessThan(15_000);
            assertThat(fast.gaps()).isEmpty();

            // Now the slow one reads what it was left with: it was skipped ahead, or let go.
            RawClient.Result result = slow.readUntilGapOrClose(20_000);
            if (result.gap() == null) {
                // It was let go: with a 1013 close frame, or without one if even that could not be written.
                await(() -> online(1, g) == 1);
            }
            assertThat(result.gap() != null || result.closeCode() == 1013 || result.closeCode() == 1006)
                    .as(
                            "slow client got a gap frame or was closed with 1013: gap %s, close %s, %d items",
                            result.gap(), result.closeCode(), result.seqs().size())
                    .isTrue();
            if (result.gap() != null) {
                assertThat(result.gap().get("fromSeq").asLong()).isPositive();
                assertThat(result.gap().get("toSeq").asLong())
                        .isGreaterThanOrEqualTo(result.gap().get("fromSeq").asLong());
            }
            assertThat(result.seqs()).isSorted().doesNotHaveDuplicates();
        }
    }

    // --- helpers

    /** Like PushServiceTest.await, but a timeout shows what this test's clients received. */
    private void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
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

    private static long videoOwnedBy(int shard, long from) {
        return LongStream.iterate(from, id -> id + 1)
                .filter(id -> Shards.ownerOf(id, PARTITIONS, 2) == shard)
                .findFirst()
                .orElseThrow();
    }

    private static String id(long videoId, long seq) {
        return Long.toString(videoId * 1_000_000 + seq);
    }

    private static String created(long videoId, long seq, String text) {
        return PushServiceTest.event(videoId, seq, text);
    }

    private static String deleted(long videoId, String id, long seq) {
        return json.writeValueAsString(json.createObjectNode()
                .put("type", "DanmakuDeleted")
                .put("version", 1)
                .put("id", id)
                .put("videoId", videoId)
                .put("seq", seq));
    }

    private static void send(KafkaProducer<String, String> producer, long videoId, String event) {
        try {
            producer.send(new ProducerRecord<>("danmaku.events", Long.toString(videoId), event))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Client connect(int shard, long videoId, Long since) {
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

    private static int online(int shard, long videoId) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + port(shard) + "/api/v1/videos/" + videoId + "/online"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return json.readTree(response.body()).get("count").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpServer startHistory() throws IOException {
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
