package io.barrage.danmaku.video;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows {@code video.events} so a deleted video's danmaku disappear at the delete, on every replica:
 * each instance has a group of its own (every one must see every event) and starts at the topic's end,
 * since the cache it corrects starts empty. Unknown types and unreadable records are logged and skipped.
 */
@Component
class VideoEventsListener {

    private static final Logger log = LoggerFactory.getLogger(VideoEventsListener.class);

    private final VideoDirectory directory;
    private final JsonMapper json;

    VideoEventsListener(VideoDirectory directory, JsonMapper json) {
        this.directory = directory;
        this.json = json;
    }

    static final String ID = "video-events";

    @KafkaListener(
            id = ID,
            topics = "video.events",
            groupId = "danmaku-videos-${random.uuid}",
            properties = {"auto.offset.reset=latest"})
    void on(ConsumerRecord<String, String> record) {
        try {
            JsonNode event = json.readTree(record.value());
            long videoId = event.path("videoId").asLong(0);
            switch (event.path("type").asString("")) {
                case "VideoDeleted" -> directory.deleted(videoId);
                case "VideoRestored" -> directory.restored(videoId);
                default ->
                    log.debug("ignoring {} on video.events", event.path("type").asString(""));
            }
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable record on video.events at offset {}: {}", record.offset(), e.toString());
        }
    }
}
