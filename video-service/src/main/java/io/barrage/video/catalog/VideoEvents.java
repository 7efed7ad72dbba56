package io.barrage.video.catalog;

import io.barrage.platform.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes to {@code video.events} (key = video id) and waits for the broker's acknowledgement, so a
 * caller that got 2xx knows the scheduler will hear about it.
 */
@Component
class VideoEvents {

    static final String TOPIC = "video.events";

    record VideoDeleted(String type, int version, long videoId, long ownerId, String objectKey, Instant deletedAt) {
        VideoDeleted(long videoId, long ownerId, String objectKey, Instant deletedAt) {
            this("VideoDeleted", 1, videoId, ownerId, objectKey, deletedAt);
        }
    }

    record VideoRestored(String type, int version, long videoId, long ownerId, Instant restoredAt) {
        VideoRestored(long videoId, long ownerId, Instant restoredAt) {
            this("VideoRestored", 1, videoId, ownerId, restoredAt);
        }
    }

    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;

    VideoEvents(KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.kafka = kafka;
        this.json = json;
    }

    void publish(long videoId, Object event) {
        var record = new ProducerRecord<>(TOPIC, Long.toString(videoId), json.writeValueAsString(event));
        String requestId = MDC.get("requestId");
        if (requestId != null) {
            record.headers().add("X-Request-Id", requestId.getBytes(StandardCharsets.UTF_8));
        }
        try {
            kafka.send(record).get(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw unavailable(e);
        }
    }

    private static ApiException unavailable(Exception cause) {
        var e = new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "The change could not be published; try again.");
        e.initCause(cause);
        return e;
    }
}
