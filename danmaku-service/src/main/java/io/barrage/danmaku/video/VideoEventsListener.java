package io.barrage.danmaku.video;

import io.barrage.platform.kafka.TopicFollower;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Follows {@code video.events} so a deleted video's danmaku disappear at the delete, on every replica:
 * every instance must see every event, so a {@link TopicFollower} holds all partitions, with no consumer
 * group (a group per instance left one behind on the brokers at every restart), from the topic's end,
 * since the cache it corrects starts empty. Unknown types and unreadable records are logged and skipped.
 */
@Component
public class VideoEventsListener implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(VideoEventsListener.class);

    private final VideoDirectory directory;
    private final JsonMapper json;
    private final TopicFollower follower;

    VideoEventsListener(VideoDirectory directory, JsonMapper json, KafkaProperties kafka, MeterRegistry meters) {
        this.directory = directory;
        this.json = json;
        this.follower = new TopicFollower(
                "danmaku-video-events",
                "video.events",
                TopicFollower.From.END,
                kafka.buildConsumerProperties(),
                this::on,
                meters);
    }

    /** True once every partition of {@code video.events} is held at its end: events from now on are seen. */
    public boolean ready() {
        return follower.ready();
    }

    @Override
    public void start() {
        follower.start();
    }

    @Override
    public void stop() {
        follower.stop();
    }

    @Override
    public boolean isRunning() {
        return follower.isRunning();
    }

    private void on(ConsumerRecord<String, String> record) {
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
