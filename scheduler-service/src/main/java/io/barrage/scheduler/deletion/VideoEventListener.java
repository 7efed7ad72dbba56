package io.barrage.scheduler.deletion;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
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

/** Feeds the deletion ledger from {@code video.events}. */
@Component
class VideoEventListener {

    private static final Logger log = LoggerFactory.getLogger(VideoEventListener.class);

    private final DeletionLedger ledger;
    private final JsonMapper json;

    VideoEventListener(DeletionLedger ledger, JsonMapper json) {
        this.ledger = ledger;
        this.json = json;
    }

    @KafkaListener(topics = "video.events", groupId = "scheduler-service")
    void onEvent(ConsumerRecord<String, String> record) {
        Header requestId = record.headers().lastHeader("X-Request-Id");
        if (requestId != null) {
            MDC.put("requestId", new String(requestId.value(), StandardCharsets.UTF_8));
        }
        try {
            handle(record);
        } finally {
            MDC.remove("requestId");
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        JsonNode event;
        try {
            event = json.readTree(record.value());
        } catch (JacksonException e) {
            // a poison record must not block the partition; it can never parse on a retry either
            log.warn("skipping unreadable record at {}-{}@{}", record.topic(), record.partition(), record.offset());
            return;
        }
        String type = event.path("type").asString("");
        int version = event.path("version").asInt(0);
        if (version != 1) {
            log.info("ignoring {} version {} at offset {}", type, version, record.offset());
            return;
        }
        switch (type) {
            case "VideoDeleted" -> {
                long videoId = event.path("videoId").asLong();
                String objectKey = event.path("objectKey").asString("videos/" + videoId + "/original");
                long ownerId = event.path("ownerId").asLong();
                JsonNode deletedBy = event.path("deletedBy");
                ledger.videoDeleted(
                        videoId,
                        ownerId,
                        deletedBy.isNumber() ? deletedBy.asLong() : null,
                        objectKey,
                        Instant.parse(event.path("deletedAt").asString()));
            }
            case "VideoRestored" -> ledger.videoRestored(event.path("videoId").asLong());
            default -> log.info("ignoring event type '{}' at offset {}", type, record.offset());
        }
    }
}
