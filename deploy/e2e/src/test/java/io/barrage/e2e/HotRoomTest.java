package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A hot room on the real product: three push-service JVMs behind the real gateway, with a spread threshold
 * of 5. Thirty viewers open the live endpoint through the gateway as the web page does; they end up on
 * several shards; every danmaku posted through the public API reaches every viewer once, in seq order; the
 * online count the gateway answers is exactly 30. Then one member of the set that is not the owner is
 * killed with SIGKILL mid-stream: its viewers reconnect through the gateway with {@code since}, miss and
 * repeat nothing, and the count is exact again once the dead shard's report has expired.
 *
 * <p>Runs last (it needs a stack of its own shape; see {@link E2eStack}).
 */
@Order(Integer.MAX_VALUE)
class HotRoomTest {

    private static final int SHARDS = 3;
    private static final int VIEWERS = 30;
    /** Viewers that join before the set is published: past the threshold, so the owner spreads the video. */
    private static final int FIRST_WAVE = 10;

    private static final E2eStack.Shape HOT = new E2eStack.Shape(
            SHARDS,
            Map.of(
                    "barrage.push.spread-threshold", "5",
                    "barrage.push.spread-max-shards", Integer.toString(SHARDS),
                    // every viewer comes through the gateway from 127.0.0.1: the per-address cap (20) is not
                    // what this test is about
                    "barrage.push.max-connections-per-address", "1000",
                    // a dead shard's report stops counting sooner than the default 10 s, for a shorter test
                    "barrage.push.spread-report-timeout", "4s",
                    "barrage.gateway.push-spread-report-timeout", "4s"));

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    /** seq → danmaku id of every acknowledged POST. */
    private final Map<Long, String> acked = new ConcurrentHashMap<>();

    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile boolean sending = true;

    @Test
    void aHotRoomsViewersThroughTheGatewaySpreadGetEverySeqOnceWithAnExactCountAndSurviveAKilledMember()
            throws Exception {
        LocalStack stack = E2eStack.get(HOT);
        String gateway = stack.options().gatewayUrl();
        Client client = new Client(gateway);
        String owner = Browsers.register(client, "hot_owner_" + System.nanoTime() % 1_000_000);
        Client.Response created =
                client.upload(owner, "hot.mp4", "video/mp4", Browsers.testCard(), Map.of("title", "hot"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long videoId = created.json().path("id").asLong();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> "READY"
                        .equals(client.get("/api/v1/videos/" + videoId, owner)
                                .json()
                                .path("status")
                                .asString()));
        int ownerShard = ownerOf(videoId);

        try (SpreadRecords spread = new SpreadRecords(stack.infra().kafkaBootstrapServers())) {
            // the first wave lands on the owner, which spreads the video once its room reaches the threshold
            List<ResumingViewer> viewers = new ArrayList<>();
            for (int i = 0; i < VIEWERS; i++) {
                viewers.add(new ResumingViewer(gateway, videoId, null, reconnects, new AtomicLong()));
            }
            viewers.subList(0, FIRST_WAVE).forEach(ResumingViewer::start);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> viewers.subList(0, FIRST_WAVE).stream().allMatch(v -> v.connected));
            await().atMost(Duration.ofSeconds(60))
                    .alias("a member other than the owner reads the video's partition")
                    .until(() -> spread.readyMembers(videoId, ownerShard) > 0);
            viewers.subList(FIRST_WAVE, VIEWERS).forEach(ResumingViewer::start);
            await().atMost(Duration.ofSeconds(60)).until(() -> viewers.stream().allMatch(v -> v.connected));

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> connectionsByShard(stack).stream()
                                    .mapToInt(Integer::intValue)
                                    .sum()
                            == VIEWERS);
            List<Integer> byShard = connectionsByShard(stack);
            System.out.printf(
                    "%nhot room: video %d owned by shard %d, viewers per shard %s%n", videoId, ownerShard, byShard);
            assertThat(byShard.stream().filter(n -> n > 0).count())
                    .as("30 viewers on several shards: %s", byShard)
                    .isGreaterThanOrEqualTo(2);
            await().atMost(Duration.ofSeconds(30))
                    .alias("the online count through the gateway")
                    .until(() -> online(client, videoId) == VIEWERS);

            List<String> senders = List.of(
                    Browsers.register(client, "hot_sender_a_" + System.nanoTime() % 1_000_000),
                    Browsers.register(client, "hot_sender_b_" + System.nanoTime() % 1_000_000));
            List<Thread> threads = new ArrayList<>();
            for (String token : senders) {
                threads.add(Thread.ofPlatform().name("hot-sender").start(() -> send(client, videoId, token)));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 10);

            // kill -9 a member of the set that is not the owner and holds viewers, mid-stream
            int doomed = -1;
            for (int shard = 0; shard < SHARDS; shard++) {
                if (shard != ownerShard && byShard.get(shard) > 0) {
                    doomed = shard;
                }
            }
            assertThat(doomed).as("a member other than the owner holds viewers").isNotNegative();
            int orphans = byShard.get(doomed);
            int reconnectsBefore = reconnects.get();
            stack.killPushShard(doomed);
            System.out.printf("hot room: killed shard %d (%d viewers) with SIGKILL%n", doomed, orphans);
            await().atMost(Duration.ofSeconds(90))
                    .alias("the killed shard's viewers reconnected through the gateway")
                    .until(() -> reconnects.get() - reconnectsBefore >= orphans
                            && viewers.stream().allMatch(v -> v.connected));
            int ackedAtReconnect = acked.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedAtReconnect + 10);
            sending = false;
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }

            List<Long> all = new ArrayList<>(new TreeSet<>(acked.keySet()));
            long last = all.getLast();
            await().atMost(Duration.ofSeconds(60))
                    .alias("every viewer reached the last acknowledged seq")
                    .until(() -> viewers.stream().allMatch(v -> v.lastSeq() >= last));
            for (ResumingViewer viewer : viewers) {
                assertThat(List.copyOf(viewer.seqs))
                        .as("every acknowledged seq once, in order")
                        .isEqualTo(all);
                assertThat(viewer.gaps).as("no gap frame").isEmpty();
            }
            System.out.printf(
                    "hot room: %d danmaku, %d reconnects, viewers per shard now %s%n",
                    all.size(), reconnects.get() - reconnectsBefore, connectionsByShard(stack));
            await().atMost(Duration.ofSeconds(60))
                    .alias("the online count is exact again once the dead shard's report expired")
                    .until(() -> online(client, videoId) == VIEWERS);

            viewers.subList(0, 10).forEach(ResumingViewer::stop);
            await().atMost(Duration.ofSeconds(30))
                    .alias("exact as viewers leave")
                    .until(() -> online(client, videoId) == VIEWERS - 10);
            viewers.forEach(ResumingViewer::stop);
        } finally {
            sending = false;
        }
    }

    /** The owner of a video among the shards, as the gateway and push-service compute it. */
    private static int ownerOf(long videoId) {
        byte[] key = Long.toString(videoId).getBytes(StandardCharsets.UTF_8);
        int partitions = Infra.TOPICS.get("danmaku.events");
        return Utils.toPositive(Utils.murmur2(key)) % partitions % SHARDS;
    }

    private static int online(Client client, long videoId) {
        Client.Response response = client.get("/api/v1/videos/" + videoId + "/online", null);
        return response.status() == 200 ? response.json().path("count").asInt() : -1;
    }

    /** Each shard's open viewer connections, from its own metrics (a dead shard counts none). */
    private List<Integer> connectionsByShard(LocalStack stack) {
        List<Integer> counts = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            int count = 0;
            try {
                String body = http.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + stack.options().pushShardPort(shard) + "/actuator/prometheus"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                for (String line : body.split("\n")) {
                    if (line.startsWith("barrage_push_connections ") || line.startsWith("barrage_push_connections{")) {
                        count = (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            } catch (Exception e) {
                // down: none
            } finally {
                counts.add(count);
            }
        }
        return counts;
    }

    /** One signed-in sender through the gateway: a danmaku a second (its cooldown), each retried with its key until acknowledged. */
    private void send(Client client, long videoId, String token) {
        int n = 0;
        while (sending) {
            String key = UUID.randomUUID().toString();
            String body = "{\"text\":\"hot " + (++n) + "\",\"playbackMs\":" + (n % 12) * 1000 + "}";
            while (true) {
                Client.Response response;
                try {
                    response = client.postJson(
                            "/api/v1/videos/" + videoId + "/danmaku", token, body, "Idempotency-Key", key);
                } catch (RuntimeException e) {
                    pause(300);
                    continue;
                }
                if (response.status() == 201) {
                    JsonNode created = response.json();
                    acked.put(created.path("seq").asLong(), created.path("id").asString());
                    break;
                }
                String retryAfter = response.header("Retry-After");
                pause(retryAfter != null && retryAfter.matches("\\d") ? Long.parseLong(retryAfter) * 1000 : 300);
            }
            pause(1000);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The latest record per key of push.spread (a tombstone removes the key), read as the gateway reads it. */
    private static final class SpreadRecords implements AutoCloseable {

        private final Map<String, JsonNode> latest = new ConcurrentHashMap<>();
        private final KafkaConsumer<String, String> consumer;
        private final Thread reader;
        private volatile boolean running = true;

        SpreadRecords(String bootstrapServers) {
            consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            bootstrapServers,
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            false),
                    new StringDeserializer(),
                    new StringDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor("push.spread").stream()
                    .map(p -> new TopicPartition("push.spread", p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            reader = Thread.ofPlatform().daemon().name("hot-spread-records").start(this::read);
        }

        private void read() {
            try {
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                        if (record.value() == null) {
                            latest.remove(record.key());
                        } else {
                            latest.put(record.key(), Client.JSON.readTree(record.value()));
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            }
        }

        /** Members of the video's set, other than its owner, that report reading its partition. */
        long readyMembers(long videoId, int owner) {
            JsonNode set = latest.get("set/" + videoId);
            if (set == null) {
                return 0;
            }
            long ready = 0;
            for (JsonNode shard : set.path("shards")) {
                JsonNode report = latest.get("viewers/" + videoId + "/" + shard.asInt());
                if (shard.asInt() != owner
                        && report != null
                        && report.path("ready").asBoolean()) {
                    ready++;
                }
            }
            return ready;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            reader.join(5000);
            consumer.close();
        }
    }
}
