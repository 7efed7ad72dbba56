package io.barrage.gateway.identity;

import io.barrage.platform.kafka.TopicFollower;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code SessionRevoked} from {@code user.events} and evicts the token from this instance's
 * near-cache, so a logout or revocation reaches every gateway instance within about a second instead
 * of after the cache TTL.
 *
 * <p>Every instance must see every event, so there is no consumer group: a {@link TopicFollower} holds all
 * partitions from their end (older revocations are covered by the TTL, which is shorter than any downtime
 * that would matter). Until Kafka answers, the TTL bounds staleness.
 */
@Component
public class RevocationListener implements SmartLifecycle {

    static final String TOPIC = "user.events";
    private static final Logger log = LoggerFactory.getLogger(RevocationListener.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SessionIntrospector introspector;
    private final TopicFollower follower;

    RevocationListener(
            SessionIntrospector introspector,
            MeterRegistry meters,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        this.introspector = introspector;
        this.follower = new TopicFollower(
                "user-events-revocations",
                TOPIC,
                TopicFollower.From.END,
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                this::handle,
                meters);
    }

    /** True once the consumer holds all partitions at their end: events from now on are seen. */
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

    private void handle(ConsumerRecord<String, String> record) {
        try {
            JsonNode event = JSON.readTree(record.value());
            if ("SessionRevoked".equals(event.path("type").asString(""))) {
                String hash = event.path("tokenHash").asString("");
                if (!hash.isEmpty()) {
                    introspector.evict(hash);
                    log.debug(
                            "evicted a revoked session of user {}",
                            event.path("userId").asString(""));
                }
            }
        } catch (RuntimeException e) {
            log.warn("skipping an unreadable record on {} at offset {}: {}", TOPIC, record.offset(), e.toString());
        }
    }
}
