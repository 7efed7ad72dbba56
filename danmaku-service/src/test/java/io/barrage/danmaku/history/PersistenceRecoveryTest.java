package io.barrage.danmaku.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import io.barrage.infra.TestInfra;
import java.util.Properties;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every acknowledged danmaku is in history exactly once, even when MySQL fails under the persister mid-batch
 * (the batch is rolled back, its offsets are not committed, and it is retried) and events are redelivered.
 */
class PersistenceRecoveryTest extends DanmakuTestBase {

    @Test
    void aBatchThatFailsMidWayIsRedeliveredAndStoredExactlyOnce() throws Exception {
        long video = 60;
        int total = 40;
        long idBase = 7_000_000_000L;
        // The table disappears under the persister: every write of the batch fails until it is back.
        // (Stopping MariaDB itself is not possible here: after Infra.startMariaDb() the service users are gone.)
        sql("RENAME TABLE danmaku TO danmaku_away");
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 1; i <= total; i++) {
                producer.send(record(video, idBase + i, i));
            }
            // Redeliveries of the first ten (as after a crash before the offset commit).
            for (int i = 1; i <= 10; i++) {
                producer.send(record(video, idBase + i, i));
            }
            producer.flush();
            Thread.sleep(2_000); // the persister tries, fails, and backs off
        } finally {
            sql("RENAME TABLE danmaku_away TO danmaku");
        }
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", video) == total);
        Thread.sleep(500);
        assertThat(count("SELECT COUNT(DISTINCT seq) FROM danmaku WHERE video_id = ?", video))
                .isEqualTo(total);
        JsonNode items =
                getJson("/api/v1/videos/60/danmaku?fromMs=0&toMs=100000").get("items");
        assertThat(items.valueStream().map(d -> d.get("seq").asLong()).toList())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, total).boxed().toList());
    }

    private void sql(String statement) throws java.sql.SQLException {
        try (var connection = dataSource.getConnection();
                var update = connection.createStatement()) {
            update.execute(statement);
        }
    }

    private static ProducerRecord<String, String> record(long video, long id, long seq) {
        String event = "{\"type\":\"DanmakuCreated\",\"version\":1,\"id\":\"" + id + "\",\"videoId\":" + video
                + ",\"seq\":" + seq + ",\"senderId\":1600,\"text\":\"r" + seq + "\",\"playbackMs\":" + seq * 10
                + ",\"mode\":\"SCROLL\",\"color\":16777215,\"size\":\"NORMAL\",\"createdAt\":\"2026-11-23T00:00:00Z\"}";
        return new ProducerRecord<>("danmaku.events", Long.toString(video), event);
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("acks", "all");
        return new KafkaProducer<>(props);
    }
}
