package io.barrage.platform.kafka;

import io.barrage.platform.requestid.RequestIdRecordInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.listener.RecordInterceptor;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * Follows every partition of one topic on this instance, for events every replica must see (a cache to
 * correct, a revocation to apply): a listener container assigned all the topic's partitions by hand,
 * with no consumer group and nothing committed.
 *
 * <p>Why not a {@code @KafkaListener} with a group per instance: each restart would leave a group behind
 * on the brokers (a random name never reused), and a group's rebalancing buys nothing when every instance
 * reads everything. Why a thread at start: the partitions must be known before the container can be
 * assigned them, and an instance should start while Kafka is away; until Kafka answers, it asks again
 * every second. {@link #ready()} turns true once the consumer holds every partition at its start position.
 */
public final class TopicFollower implements SmartLifecycle {

    /** Where a follower starts: at the topic's end (events from now on) or its beginning (a compacted log). */
    public enum From {
        BEGINNING,
        END
    }

    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

    private final String name;
    private final String topic;
    private final From from;
    private final Map<String, Object> consumerConfig;
    private final MessageListener<String, String> listener;
    private final @Nullable MeterRegistry meters;
    private final Object lifecycle = new Object();
    private volatile boolean running;
    private volatile boolean ready;
    private @Nullable KafkaMessageListenerContainer<String, String> container;
    private @Nullable Thread starting;

    /**
     * @param name the container's and the consumer's name, for logs and metrics
     * @param consumerConfig at least {@code bootstrap.servers}; a {@code group.id} is removed
     */
    public TopicFollower(
            String name,
            String topic,
            From from,
            Map<String, Object> consumerConfig,
            MessageListener<String, String> listener,
            @Nullable MeterRegistry meters) {
        this.name = name;
        this.topic = topic;
        this.from = from;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.listener = listener;
        this.meters = meters;
    }

    /** True once the consumer holds every partition at its start position: records from then on are seen. */
    public boolean ready() {
        return ready;
    }

    @Override
    public void start() {
        Object servers = consumerConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null || servers.toString().isBlank()) {
            log.warn("no Kafka bootstrap servers: {} does not follow {}", name, topic);
            return;
        }
        synchronized (lifecycle) {
            running = true;
            starting = Thread.ofPlatform().daemon().name(name).start(this::startContainer);
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

    private void startContainer() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, name + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, from == From.END ? "latest" : "earliest");
        DefaultKafkaConsumerFactory<String, String> consumers =
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = List.of();
        while (running && partitions.isEmpty()) {
            try (Consumer<String, String> kafka = consumers.createConsumer()) {
                partitions = kafka.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition()))
                        .toList();
                if (partitions.isEmpty()) {
                    throw new IllegalStateException(topic + " has no partitions yet");
                }
            } catch (RuntimeException e) {
                log.warn("{}: reading {} failed, retrying: {}", name, topic, e.toString());
                sleepASecond();
            }
        }
        if (!running) {
            return;
        }
        if (meters != null) {
            consumers.addListener(new MicrometerConsumerListener<>(meters));
        }
        TopicPartitionOffset.SeekPosition position =
                from == From.END ? TopicPartitionOffset.SeekPosition.END : TopicPartitionOffset.SeekPosition.BEGINNING;
        ContainerProperties properties = new ContainerProperties(partitions.stream()
                .map(p -> new TopicPartitionOffset(p.topic(), p.partition(), position))
                .toArray(TopicPartitionOffset[]::new));
        properties.setMessageListener(new Positioned());
        properties.setPollTimeout(500);
        KafkaMessageListenerContainer<String, String> follower =
                new KafkaMessageListenerContainer<>(consumers, properties);
        follower.setBeanName(name);
        follower.setRecordInterceptor(recordIds());
        synchronized (lifecycle) {
            if (running) {
                container = follower;
                follower.start();
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static RecordInterceptor<String, String> recordIds() {
        return (RecordInterceptor) new RequestIdRecordInterceptor();
    }

    /** Hands records on; once the container has made its seeks, the follower is ready. */
    private final class Positioned implements MessageListener<String, String>, ConsumerSeekAware {

        @Override
        public void onPartitionsAssigned(Map<TopicPartition, Long> positions, ConsumerSeekCallback callback) {
            ready = true;
            log.info("{} follows {} ({} partitions) from its {}", name, topic, positions.size(), from);
        }

        @Override
        public void onMessage(ConsumerRecord<String, String> record) {
            listener.onMessage(record);
        }
    }

    private static void sleepASecond() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
