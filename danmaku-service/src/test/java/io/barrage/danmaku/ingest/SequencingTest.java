package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.barrage.danmaku.DanmakuTestBase;
import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Two ingest instances on one video: this context (over HTTP) and a second {@link Sequencer}, built from the
 * same configuration, with its own connection pool and its own idempotent producer, as another pod would
 * have (the rate limits live in Redis, so it shares them as another pod would).
 */
class SequencingTest extends DanmakuTestBase {

    @Autowired
    DataSourceProperties dataSourceProperties;

    @Autowired
    SequencerProperties sequencerProperties;

    @Autowired
    AbuseGuard abuseGuard;

    @Test
    void twoInstancesUnderConcurrentLoadYieldGapFreeSeqsInPartitionOrder() throws Exception {
        long videoId = 10;
        int perInstance = 60;
        DefaultKafkaProducerFactory<String, String> otherProducers = producerFactory();
        try (HikariDataSource otherPool = dataSourceProperties
                .initializeDataSourceBuilder()
                .type(HikariDataSource.class)
                .build()) {
            Sequencer other = new Sequencer(
                    new SeqLedger(otherPool, sequencerProperties),
                    new DanmakuEvents(new KafkaTemplate<>(otherProducers), json),
                    abuseGuard,
                    sequencerProperties);
            SnowflakeIds otherIds = new SnowflakeIds(1);
            ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int i = 0; i < perInstance; i++) {
                    long user = 1000 + i;
                    int n = i;
                    work.add(pool.submit(() -> {
                        HttpResponse<String> response =
                                post(videoId, user, "{\"text\":\"A" + n + "\",\"playbackMs\":" + n * 1000 + "}");
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
                        acknowledged.add(
                                json.readTree(response.body()).get("seq").asLong());
                        return null;
                    }));
                    work.add(pool.submit(() -> acknowledged.add(other.publishNext(
                                    videoId,
                                    2000 + n,
                                    seq -> new Danmaku(
                                            Long.toString(otherIds.next()),
                                            videoId,
                                            seq,
                                            2000 + n,
                                            "B" + n,
                                            n * 1000 + 500,
                                            "SCROLL",
                                            0xFFFFFF,
                                            "NORMAL",
                                            Instant.now()))
                            .seq())));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            long total = 2L * perInstance;
            // Every acknowledged seq is distinct and together they are exactly 1..total.
            assertThat(acknowledged)
                    .containsExactlyInAnyOrderElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());

            // The partition (what push-service reads) holds them in seq order.
            List<Long> published = eventsOf(videoId).stream()
                    .filter(e -> e.get("type").asString().equals("DanmakuCreated"))
                    .map(e -> e.get("seq").asLong())
                    .toList();
            assertThat(published)
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());

            // History has each of them exactly once.
            await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", videoId) == total);
            JsonNode items = getJson("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=100000&limit=5000")
                    .get("items");
            assertThat(items.valueStream()
                            .map(d -> d.get("seq").asLong())
                            .sorted()
                            .toList())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());
        } finally {
            otherProducers.destroy();
        }
    }

    @Test
    void anAttemptWhoseWriterDiedIsVoidedBeforeTheNextSeq() throws Exception {
        long videoId = 11;
        HttpResponse<String> first = post(videoId, 3001, "{\"text\":\"before\",\"playbackMs\":1}");
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(json.readTree(first.body()).get("seq").asLong()).isEqualTo(1);
        // A writer recorded seqs 2 and 3 as in flight and died before learning whether the broker had them.
        try (var connection = dataSource.getConnection();
                var statement = connection.prepareStatement(
                        "UPDATE danmaku_seq SET pending_seq = 2, pending_ids = '424242,424243' WHERE video_id = ?")) {
            statement.setLong(1, videoId);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }

        HttpResponse<String> next = post(videoId, 3002, "{\"text\":\"after\",\"playbackMs\":2}");
        assertThat(next.statusCode()).isEqualTo(201);
        assertThat(json.readTree(next.body()).get("seq").asLong()).isEqualTo(4);

        // Seqs 2 and 3 are accounted for on the stream by tombstones, before seq 4.
        List<String> stream = eventsOf(videoId).stream()
                .map(e -> e.get("type").asString() + ":" + e.get("seq").asLong())
                .toList();
        assertThat(stream)
                .containsExactly("DanmakuCreated:1", "DanmakuDeleted:2", "DanmakuDeleted:3", "DanmakuCreated:4");
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", videoId) == 2);
        assertThat(count("SELECT COUNT(*) FROM danmaku_tombstone WHERE id = ?", 424242L))
                .isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM danmaku_tombstone WHERE id = ?", 424243L))
                .isEqualTo(1);
    }

    private static DefaultKafkaProducerFactory<String, String> producerFactory() {
        return new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.get().kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true));
    }
}
