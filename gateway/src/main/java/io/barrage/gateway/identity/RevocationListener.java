package io.barrage.gateway.identity;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads {@code SessionRevoked} from {@code user.events} and evicts the token from this instance's
 * near-cache, so a logout or revocation reaches every gateway instance within about a second instead
 * of after the cache TTL.
 *
 * <p>Every instance must see every event, so there is no consumer group: a listener container is assigned
 * all partitions and starts at their end (older revocations are covered by the TTL, which is shorter than
 * any downtime that would matter). Nothing is committed. Until Kafka answers with the topic's partitions
 * the listener retries every second; the TTL bounds staleness in the meantime.
 */
@Component
public class RevocationListener implements SmartLifecycle {

    static final String TOPIC = "user.events";
    private static final Logger log = LoggerFactory.getLogger(RevocationListener.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SessionIntrospector introspector;
    private final String bootstrapServers;
    private final MeterRegistry meters;
    private final Object lifecycle = new Object();
    private volatile boolean running;
    private volatile boolean ready;
    private KafkaMessageListenerContainer<String, String> container;
    private Thread starting;

    RevocationListener(
            SessionIntrospector introspector,
            MeterRegistry meters,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
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
        synchronized (lifecycle) {
            running = true;
            starting =
                    Thread.ofPlatform().daemon().name("user-events-revocations").start(this::startContainer);
        }
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            running = false;
            ready = false;
            if (starting != null) {
                starting.interrupt();
                starting = null;
            }
            if (container != null) {
                container.stop();
                container = null;
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Learns the topic's partitions (until Kafka answers), then follows them all from their end. */
    private void startContainer() {
        DefaultKafkaConsumerFactory<String, String> consumers = new DefaultKafkaConsumerFactory<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "gateway-revocations-" + UUID.randomUUID(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "latest"),
                new StringDeserializer(),
                new StringDeserializer());
        List<TopicPartition> partitions = List.of();
        while (running && partitions.isEmpty()) {
            try (Consumer<String, String> kafka = consumers.createConsumer()) {
                partitions = kafka.partitionsFor(TOPIC, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                if (partitions.isEmpty()) {
                    throw new IllegalStateException(TOPIC + " has no partitions yet");
                }
            } catch (RuntimeException e) {
                log.warn("reading {} failed, retrying: {}", TOPIC, e.toString());
                sleep();
            }
        }
        if (!running) {
            return;
        }
        consumers.addListener(new MicrometerConsumerListener<>(meters));
        ContainerProperties properties = new ContainerProperties(partitions.stream()
                .map(p -> new TopicPartitionOffset(p.topic(), p.partition(), TopicPartitionOffset.SeekPosition.END))
                .toArray(TopicPartitionOffset[]::new));
        properties.setMessageListener(new Listener());
        properties.setPollTimeout(500);
        KafkaMessageListenerContainer<String, String> revocations =
                new KafkaMessageListenerContainer<>(consumers, properties);
        revocations.setBeanName("user-events-revocations");
        synchronized (lifecycle) {
            if (running) {
                container = revocations;
                revocations.start();
            }
        }
    }

    /** Evicts what each record revokes; once at the end of every partition, the listener is ready. */
    private final class Listener implements MessageListener<String, String>, ConsumerSeekAware {

        /** Called by the container after its seeks to the end, with the positions resolved. */
        @Override
        public void onPartitionsAssigned(Map<TopicPartition, Long> positions, ConsumerSeekCallback callback) {
            ready = true;
            log.info("following {} ({} partitions) for session revocations", TOPIC, positions.size());
        }

        @Override
        public void onMessage(ConsumerRecord<String, String> record) {
            handle(record);
        }
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
        }
    }
}
