package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.DanmakuCreated;
import java.nio.charset.StandardCharsets;
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
 * Writes every {@code DanmakuCreated} to MySQL. Kafka delivers at least once, so the insert ignores rows
 * it already has; offsets are committed only after the batch is written, and a failed write is retried
 * (see {@link PersistenceConfig}) rather than skipped, so an acknowledged danmaku is never lost.
 */
@Component
class DanmakuPersister {

    private static final Logger log = LoggerFactory.getLogger(DanmakuPersister.class);

    private final DanmakuMapper mapper;
    private final JsonMapper json;

    DanmakuPersister(DanmakuMapper mapper, JsonMapper json) {
        this.mapper = mapper;
        this.json = json;
    }

    @KafkaListener(topics = "danmaku.events", groupId = "danmaku-persist", batch = "true")
    void persist(List<ConsumerRecord<String, String>> records) {
        List<DanmakuRow> rows = new ArrayList<>(records.size());
        for (ConsumerRecord<String, String> record : records) {
            withRequestId(record, () -> {
                DanmakuRow row = parse(record);
                if (row != null) {
                    rows.add(row);
                }
            });
        }
        if (!rows.isEmpty()) {
            int inserted = mapper.insertIgnore(rows);
            log.debug("persisted {} of {} danmaku ({} already present)", inserted, rows.size(), rows.size() - inserted);
        }
    }

    /** Unknown types and versions are someone else's business; unreadable records are logged and skipped. */
    private DanmakuRow parse(ConsumerRecord<String, String> record) {
        try {
            JsonNode node = json.readTree(record.value());
            if (!DanmakuCreated.TYPE.equals(node.path("type").asString(""))
                    || node.path("version").asInt(0) != DanmakuCreated.VERSION) {
                return null;
            }
            return DanmakuRow.of(json.treeToValue(node, DanmakuCreated.class).danmaku());
        } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
            log.error(
                    "skipping unreadable record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
            return null;
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
