package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import io.barrage.platform.requestid.RequestIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes to {@code danmaku.events} keyed by the video id and returns only once the broker has the
 * record ({@code acks=all}, idempotent producer); anything else is a 503 {@code broker-unavailable}.
 */
@Component
public class DanmakuEvents {

    public static final String TOPIC = "danmaku.events";
    private static final Logger log = LoggerFactory.getLogger(DanmakuEvents.class);
    /** Longer than the producer's delivery.timeout.ms, so the producer's own verdict normally arrives first. */
    private static final long ACK_WAIT_MS = 8_000;

    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;

    DanmakuEvents(KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.kafka = kafka;
        this.json = json;
    }

    public void publish(long videoId, Object event) {
        publishAll(List.of(new Keyed(videoId, event)));
    }

    /** An event and the video it belongs to (its key). */
    public record Keyed(long videoId, Object event) {}

    /** Sends all, then waits for every ack: one round trip for a batch (a ban's tombstones, say). */
    public void publishAll(List<Keyed> events) {
        String requestId = MDC.get(RequestIds.MDC_KEY);
        List<CompletableFuture<?>> acks = new ArrayList<>(events.size());
        long videoId = events.isEmpty() ? 0 : events.get(0).videoId();
        try {
            for (Keyed keyed : events) {
                ProducerRecord<String, String> record = new ProducerRecord<>(
                        TOPIC, Long.toString(keyed.videoId()), json.writeValueAsString(keyed.event()));
                if (requestId != null) {
                    record.headers().add(RequestIds.HEADER, requestId.getBytes(StandardCharsets.UTF_8));
                }
                acks.add(kafka.send(record));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(ACK_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw brokerUnavailable(videoId, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw brokerUnavailable(videoId, e);
        }
    }

    private static ApiException brokerUnavailable(long videoId, Exception e) {
        log.warn("event for video {} not acknowledged: {}", videoId, e.toString());
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "Danmaku cannot be stored right now.");
    }
}
