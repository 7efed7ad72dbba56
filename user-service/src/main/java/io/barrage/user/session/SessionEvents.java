package io.barrage.user.session;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Publishes session events to {@code user.events}. */
@Component
class SessionEvents {

    static final String TOPIC = "user.events";

    private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);

    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;

    SessionEvents(KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.kafka = kafka;
        this.json = json;
    }

    /**
     * Fire and forget: the session is already gone from Redis, which is what makes the token useless;
     * the event only shortens how long a cache elsewhere may still accept it.
     */
    void revoked(SessionRevoked event) {
        String key = Long.toString(event.userId());
        ProducerRecord<String, String> record = new ProducerRecord<>(TOPIC, key, json.writeValueAsString(event));
        String requestId = MDC.get("requestId");
        if (requestId != null) {
            record.headers().add("X-Request-Id", requestId.getBytes(StandardCharsets.UTF_8));
        }
        try {
            kafka.send(record).whenComplete((result, error) -> {
                if (error != null) {
                    log.warn("could not publish SessionRevoked for user {}: {}", event.userId(), error.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not publish SessionRevoked for user {}: {}", event.userId(), e.toString());
        }
    }
}
