package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.DanmakuCreated;
import io.barrage.danmaku.ingest.DanmakuDeleted;
import io.barrage.danmaku.ingest.DanmakuEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes {@code danmaku.events} to MySQL: each {@code DanmakuCreated} becomes a row, each {@code
 * DanmakuDeleted} a tombstone. Kafka delivers at least once, so inserts ignore rows already there and a
 * tombstoned id never comes back; the batch is one transaction, offsets are committed only after it, and a
 * failed write is retried (see {@link PersistenceConfig}) rather than skipped, so an acknowledged danmaku
 * is never lost. After the commit the touched history segments are dropped from the cache.
 */
@Component
class DanmakuPersister {

    private static final Logger log = LoggerFactory.getLogger(DanmakuPersister.class);

    private final DanmakuStore store;
    private final JsonMapper json;
    private final Timer lag;

    DanmakuPersister(DanmakuStore store, JsonMapper json, MeterRegistry meters) {
        this.store = store;
        this.json = json;
        this.lag = Timer.builder("danmaku.persist.lag")
                .description("From a danmaku's creation (just before its ack) to its row being committed")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(meters);
    }

    @KafkaListener(topics = DanmakuEvents.TOPIC, groupId = "danmaku-persist", batch = "true")
    void persist(List<ConsumerRecord<String, String>> records) {
        List<DanmakuRow> created = new ArrayList<>(records.size());
        List<DanmakuRow> deleted = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            withRequestId(record, () -> parse(record, created, deleted));
        }
        if (created.isEmpty() && deleted.isEmpty()) {
            return;
        }
        int inserted = store.apply(created, deleted);
        Instant now = Instant.now();
        for (DanmakuRow row : created) {
            lag.record(Duration.between(row.toDanmaku().createdAt(), now));
        }
        log.debug("persisted {} of {} danmaku, {} tombstones", inserted, created.size(), deleted.size());
    }

    /** Unknown types and versions are someone else's business; unreadable records are logged and skipped. */
    private void parse(ConsumerRecord<String, String> record, List<DanmakuRow> created, List<DanmakuRow> deleted) {
        try {
            JsonNode node = json.readTree(record.value());
            String type = node.path("type").asString("");
            int version = node.path("version").asInt(0);
            if (DanmakuCreated.TYPE.equals(type) && version == DanmakuCreated.VERSION) {
                created.add(DanmakuRow.of(
                        json.treeToValue(node, DanmakuCreated.class).danmaku()));
            } else if (DanmakuDeleted.TYPE.equals(type) && version == DanmakuDeleted.VERSION) {
                DanmakuDeleted tombstone = json.treeToValue(node, DanmakuDeleted.class);
                deleted.add(DanmakuRow.tombstone(Long.parseLong(tombstone.id()), tombstone.videoId()));
            }
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            log.error(
                    "skipping unreadable record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
        }
    }

    private static void withRequestId(ConsumerRecord<String, String> record, Runnable action) {
        Header header = record.headers().lastHeader("X-Request-Id");
        if (header != null) {
            MDC.put("requestId", new String(header.value(), StandardCharsets.UTF_8));
        }
        try {
            action.run();
        } finally {
            MDC.remove("requestId");
        }
    }
}
