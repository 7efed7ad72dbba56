package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.barrage.push.LiveShardsTestBase.Client;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import io.barrage.push.spread.SpreadSet;
import io.barrage.push.spread.SpreadTopic;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.node.ObjectNode;

/**
 * Three push shards of three in this JVM on real Kafka, with a spread threshold of 5: a hot video's viewers
 * spread over the shards of its set, every viewer gets every seq once, the online count stays exact, the set
 * shrinks as the audience leaves, a shard of the set can die, and a cold video is left alone.
 *
 * <p>The gateway's part (routing a new viewer to the ready member of the set with the fewest viewers, the
 * online count to the owner) is played here by {@link #route}, from the same {@code push.spread} records the
 * gateway reads; the gateway's own load balancer is tested in the gateway module.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HotRoomsTest {

    static final int SHARDS = 3;
    static final int THRESHOLD = 5;
    static final ConfigurableApplicationContext[] shards = new ConfigurableApplicationContext[SHARDS];
    static final boolean[] stopped = new boolean[SHARDS];
    static com.sun.net.httpserver.HttpServer history;
    /** Far from other tests' ids, and new each run, so an earlier run's stream on Kafka is not replayed here. */
    static final long BASE = 7_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000_000L);

    final List<Client> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        history = LiveShardsTestBase.startHistory();
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = startShard(i);
        }
    }

    @AfterAll
    static void stop() {
        for (int i = 0; i < SHARDS; i++) {
            if (!stopped[i]) {
                shards[i].close();
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
        props.put("barrage.push.shard-count", SHARDS);
        props.put("barrage.push.spread-threshold", THRESHOLD);
        props.put("barrage.push.spread-max-shards", SHARDS);
        // every viewer here comes from 127.0.0.1: the per-address cap (20) is not what these tests are about,
        // and on a slow machine the owner holds more than 20 before its set is published
        props.put("barrage.push.max-connections-per-address", 1000);
        props.put("barrage.push.spread-report-interval", "200ms");
        props.put("barrage.push.spread-report-timeout", "3s");
        props.put(
                "spring.cloud.discovery.client.simple.instances.danmaku-service[0].uri",
                "http://127.0.0.1:" + history.getAddress().getPort());
        String[] args = props.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new SpringApplicationBuilder(PushApplication.class, LiveShardsTestBase.OwnNettyResources.class)
                .run(args);
    }

    static long videoOwnedBy(int shard, long from) {
        return LongStream.iterate(from, id -> id + 1)
                .filter(id -> Shards.ownerOf(id, LiveShardsTestBase.PARTITIONS, SHARDS) == shard)
                .findFirst()
                .orElseThrow();
    }

    static int port(int shard) {
        return Integer.parseInt(shards[shard].getEnvironment().getProperty("local.server.port"));
    }

    static Rooms rooms(int shard) {
        return shards[shard].getBean(Rooms.class);
    }

    static SpreadTopic spread(int shard) {
        return shards[shard].getBean(SpreadTopic.class);
    }

    static int owner(long videoId) {
        return Shards.ownerOf(videoId, LiveShardsTestBase.PARTITIONS, SHARDS);
    }

    /** The size of the video's set as its owner holds it (1: not spread). */
    static int setSize(long videoId) {
        SpreadSet set = spread(owner(videoId)).set(videoId);
        return set == null ? 1 : set.shards().size();
    }

    /**
     * As the gateway routes a new viewer: the owner, or for a spread video the live member of its set that
     * reports reading the partition and holds the fewest viewers.
     */
    static int route(long videoId) {
        int owner = owner(videoId);
        SpreadSet set = spread(owner).set(videoId);
        if (set == null || !set.spread()) {
            return owner;
        }
        int best = -1;
        for (int shard : set.shards()) {
            if (stopped[shard]) {
                continue; // gone from discovery
            }
            SpreadTopic.Report report = spread(owner).reports(videoId).get(shard);
            boolean ready = shard == owner || (report != null && report.ready());
            if (ready && (best < 0 || rooms(shard).local(videoId) < rooms(best).local(videoId))) {
                best = shard;
            }
        }
        return best;
    }

    /** The online count as a client asks it: through the gateway, which asks the owner. */
    static int online(long videoId) {
        try {
            HttpResponse<String> response =
                    TestHttp.on(port(owner(videoId))).get("/api/v1/videos/" + videoId + "/online");
            assertThat(response.statusCode()).isEqualTo(200);
            return LiveShardsTestBase.json
                    .readTree(response.body())
                    .get("count")
                    .asInt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Client connect(int shard, long videoId, Long since) {
        Client client = new Client();
        client.socket = LiveShardsTestBase.http
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port(shard) + "/ws/v1/videos/" + videoId
                                + (since == null ? "" : "?since=" + since)),
                        client)
                .join();
        clients.add(client);
        return client;
    }

    /** A viewer routed as the gateway would, and the shard it landed on. */
    record Placed(Client client, int shard) {}

    Placed join(long videoId) {
        int shard = route(videoId);
        return new Placed(connect(shard, videoId, null), shard);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    static void publish(KafkaProducer<String, String> producer, long videoId, long seq) {
        String event = PushServiceTest.event(videoId, seq, "hot " + seq);
        ObjectNode stored = (ObjectNode) LiveShardsTestBase.json.readTree(event);
        stored.remove("type");
        stored.remove("version");
        LiveShardsTestBase.stored
                .computeIfAbsent(videoId, v -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(stored);
        try {
            producer.send(new ProducerRecord<>("danmaku.events", Long.toString(videoId), event))
                    .get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Joins viewers one by one; once the owner holds the threshold, waits for the set to take viewers. */
    List<Placed> audience(long videoId, int viewers) throws InterruptedException {
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < viewers; i++) {
            if (i == THRESHOLD) {
                await(() -> setSize(videoId) > 1 && route(videoId) != owner(videoId), "the set takes viewers");
            }
            placed.add(join(videoId));
            int expected = i + 1;
            await(() -> rooms(placed.getLast().shard()).local(videoId) > 0, "joined");
            if (i < THRESHOLD) {
                await(() -> rooms(owner(videoId)).local(videoId) == expected, "on the owner");
            }
        }
        return placed;
    }

    static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    @Order(1)
    void aHotVideosViewersSpreadOverSeveralShardsEachGetsEverySeqOnceAndTheCountStaysExact() throws Exception {
        long hot = videoOwnedBy(0, BASE);
        long cold = videoOwnedBy(1, BASE + 100);
        Client coldViewer = connect(1, cold, null);
        List<Placed> viewers = audience(hot, 30);

        assertThat(viewers.stream().map(Placed::shard).distinct().count())
                .as("30 viewers over the set")
                .isGreaterThanOrEqualTo(2);
        await(() -> online(hot) == 30, "online 30");
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 40; seq++) {
                publish(producer, hot, seq);
                publish(producer, cold, seq);
            }
        }
        for (Placed viewer : viewers) {
            await(() -> viewer.client().seqs().size() >= 40, "every seq reaches every viewer");
        }
        for (Placed viewer : viewers) {
            assertThat(viewer.client().seqs()).as("once, in order").isEqualTo(seqs(1, 40));
            assertThat(viewer.client().gaps()).isEmpty();
        }
        // every viewer, on any shard, is told the whole room's count
        for (Placed viewer : viewers) {
            await(() -> viewer.client().lastOnline() == 30, "the online frame counts the whole set");
        }

        // independence: the cold video got its seqs, and only its own shard holds or reads it
        await(() -> coldViewer.seqs().size() >= 40, "the cold video's seqs");
        assertThat(coldViewer.seqs()).isEqualTo(seqs(1, 40));
        assertThat(rooms(0).lastSeq(cold)).as("no extra traffic elsewhere").isZero();
        assertThat(rooms(2).lastSeq(cold)).isZero();
        assertThat(spread(1).set(cold)).isNull();
        assertThat(TestHttp.on(port(0))
                        .get("/api/v1/videos/" + cold + "/online")
                        .statusCode())
                .as("another shard still refuses the cold video")
                .isEqualTo(421);

        for (int i = 0; i < 10; i++) {
            viewers.get(i).client().close();
        }
        await(() -> online(hot) == 20, "online 20 after ten leave");
    }

    @Test
    @Order(2)
    void whenTheAudienceFallsBelowTheThresholdNewViewersGoToTheOwnerAgainWithAnExactCount() throws Exception {
        long hot = videoOwnedBy(1, BASE + 1000);
        List<Placed> viewers = audience(hot, 12);
        await(() -> online(hot) == 12, "online 12");
        assertThat(viewers.stream().map(Placed::shard).distinct().count()).isGreaterThanOrEqualTo(2);

        // leave until 3 remain: at least one on a shard other than the owner, so the set drains
        List<Placed> staying = new ArrayList<>();
        viewers.stream().filter(p -> p.shard() != owner(hot)).findFirst().ifPresent(staying::add);
        viewers.stream()
                .filter(p -> !staying.contains(p))
                .limit(3 - staying.size())
                .forEach(staying::add);
        for (Placed viewer : viewers) {
            if (!staying.contains(viewer)) {
                viewer.client().close();
            }
        }
        await(() -> online(hot) == 3, "online 3");
        await(() -> setSize(hot) == 1, "the set closes");
        Placed next = join(hot);
        assertThat(next.shard()).as("a new viewer goes to the owner").isEqualTo(owner(hot));
        await(() -> online(hot) == 4, "online 4");

        // the ones still on another shard keep getting the stream, and are still counted
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 10; seq++) {
                publish(producer, hot, seq);
            }
        }
        for (Placed viewer : staying) {
            await(() -> viewer.client().seqs().size() >= 10, "the drained shard still delivers");
            assertThat(viewer.client().seqs()).isEqualTo(seqs(1, 10));
        }
        staying.forEach(p -> p.client().close());
        await(() -> online(hot) == 1, "online 1");

        // closed, and the shards that left hold no one: the owner forgets the set with a tombstone, so the
        // compacted topic does not keep the video, and every shard reads it as no set
        await(
                () -> java.util.stream.IntStream.range(0, SHARDS)
                        .allMatch(i -> spread(i).set(hot) == null),
                "every shard forgets the closed set");
        Map<String, String> last = lastSpreadRecords();
        assertThat(last).as("the set's last record is a tombstone").containsEntry("set/" + hot, null);
        last.forEach((key, value) -> {
            if (key.startsWith("viewers/" + hot + "/")) {
                assertThat(value).as("%s withdrawn", key).isNull();
            }
        });
        assertThat(online(hot)).as("still exact").isEqualTo(1);
    }

    /** The last record of every key of push.spread (a tombstone as null), read from the beginning to the end. */
    static Map<String, String> lastSpreadRecords() {
        Map<String, String> last = new HashMap<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        Map.of("bootstrap.servers", TestInfra.get().kafkaBootstrapServers()),
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        new org.apache.kafka.common.serialization.StringDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(SpreadTopic.TOPIC).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(SpreadTopic.TOPIC, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("push.spread not read to its end within 30 s");
                }
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(r -> last.put(r.key(), r.value()));
            }
        }
        return last;
    }

    @Test
    @Order(3)
    void whenAShardOfTheSetDiesItsViewersResumeOnTheRestWithNoMissingOrDuplicateSeq() throws Exception {
        long hot = videoOwnedBy(0, BASE + 2000);
        List<Placed> viewers = audience(hot, 15);
        int doomed = viewers.stream()
                .map(Placed::shard)
                .filter(s -> s != owner(hot))
                .findFirst()
                .orElseThrow();
        await(() -> online(hot) == 15, "online 15");
        long total = 60;
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 20; seq++) {
                publish(producer, hot, seq);
            }
            for (Placed viewer : viewers) {
                await(() -> viewer.client().seqs().size() >= 20, "the first 20");
            }
            Thread.ofPlatform().start(() -> {
                for (long seq = 21; seq <= total; seq++) {
                    publish(producer, hot, seq);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            stopped[doomed] = true;
            shards[doomed].close(); // mid-stream
            // its viewers reconnect to the rest of the set, resuming after the last seq they got
            List<List<Long>> seen = new ArrayList<>();
            for (Placed viewer : viewers) {
                List<Long> got = new ArrayList<>(viewer.client().seqs());
                if (viewer.shard() == doomed) {
                    await(() -> viewer.client().closeCode != null, "the stopped shard's viewer is closed");
                    got = new ArrayList<>(viewer.client().seqs());
                    Client again = connect(route(hot), hot, got.getLast());
                    await(() -> again.seqs().size() + viewer.client().seqs().size() >= total, "resumed to the end");
                    got.addAll(again.seqs());
                } else {
                    await(() -> viewer.client().seqs().size() >= total, "live to the end");
                    got = new ArrayList<>(viewer.client().seqs());
                }
                seen.add(got);
            }
            for (List<Long> got : seen) {
                assertThat(got).as("every seq once, in order").isEqualTo(seqs(1, total));
            }
        }
        await(() -> online(hot) == 15, "online 15 again, the dead shard's report dropped");
    }
}
