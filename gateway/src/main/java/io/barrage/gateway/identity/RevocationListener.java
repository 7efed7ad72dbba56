package io.barrage.gateway.identity;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
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
 * <p>Every instance must see every event, so there is no consumer group: the consumer assigns itself
 * all partitions and starts at their end (older revocations are covered by the TTL, which is shorter
 * than any downtime that would matter). Nothing is committed. If Kafka is unreachable the loop retries;
 * the TTL bounds staleness in the meantime.
 */
@Component
public class RevocationListener implements SmartLifecycle {

    static final String TOPIC = "user.events";
    private static final Logger log = LoggerFactory.getLogger(RevocationListener.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SessionIntrospector introspector;
    private final String bootstrapServers;
    private volatile boolean running;
    private volatile boolean ready;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    private final MeterRegistry meters;

    RevocationListener(
            SessionIntrospector introspector,
            MeterRegistry meters,
            @Value("${spring.kafka.bootstrap-servers:}") String bootstrapServers) {
        this.introspector = introspector;
        this.meters = meters;
        this.bootstrapServers = bootstrapServers;
    }

    /** True once the consumer holds all partitions at their end: events from now on are seen. */
    public boolean ready() {
        return ready;
    }

    @Override
    public void start() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            log.warn("spring.kafka.bootstrap-servers is not set: revocations reach this gateway only by TTL");
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("user-events-revocations").start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        KafkaConsumer<String, String> current = consumer;
        if (current != null) {
            current.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "gateway-revocations-" + UUID.randomUUID());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(props);
                KafkaClientMetrics metrics = new KafkaClientMetrics(kafka)) {
            metrics.bindTo(meters);
            consumer = kafka;
            while (running) {
                try {
                    if (kafka.assignment().isEmpty()) {
                        assignAtEnd(kafka);
                    }
                    for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(500))) {
                        handle(record);
                    }
                } catch (WakeupException e) {
                    break;
                } catch (RuntimeException e) {
                    log.warn("reading {} failed, retrying: {}", TOPIC, e.toString());
                    sleep();
                }
            }
        } finally {
            ready = false;
            consumer = null;
        }
    }

    private void assignAtEnd(KafkaConsumer<String, String> kafka) {
        List<TopicPartition> partitions = kafka.partitionsFor(TOPIC, Duration.ofSeconds(5)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new IllegalStateException(TOPIC + " has no partitions yet");
        }
        kafka.assign(partitions);
        kafka.seekToEnd(partitions);
        // seekToEnd is lazy; resolving the positions now makes "ready" true to its word
        partitions.forEach(p -> kafka.position(p, Duration.ofSeconds(5)));
        ready = true;
        log.info("following {} ({} partitions) for session revocations", TOPIC, partitions.size());
    }

    private void handle(ConsumerRecord<String, String> record) {
        Header requestId = record.headers().lastHeader("X-Request-Id");
        if (requestId != null) {
            MDC.put("requestId", new String(requestId.value(), StandardCharsets.UTF_8));
        }
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
        } finally {
            MDC.remove("requestId");
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
