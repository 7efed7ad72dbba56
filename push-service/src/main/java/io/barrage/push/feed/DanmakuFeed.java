package io.barrage.push.feed;

import io.barrage.push.PushProperties;
import io.barrage.push.room.Item;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ConsumerSeekAware;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.FixedBackOff;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads this shard's partitions of {@code danmaku.events} and hands each {@code DanmakuCreated} and {@code
 * DanmakuDeleted} to its room.
 *
 * <p>There is no consumer group: the feed's listener container is assigned the partitions of its own videos
 * (see {@link Shards}), so it never receives another shard's traffic and there is no rebalancing. Each
 * partition starts {@code replay-window} back in time (a timestamp seek), not at the end (a partition with
 * nothing that recent starts at its end), so the rooms' rings hold the recent stream again and viewers of a
 * restarted shard resume without a hole; the feed counts as ready once it has read up to where the
 * partitions ended when it started, and it starts before the web server, so viewers connect only then. A
 * record whose handling fails is read again a second later, and the ones after it only then (the
 * container's error handler seeks back to it), so rooms get every record once, in order.
 */
@Component
class DanmakuFeed implements SmartLifecycle {

    static final String TOPIC = "danmaku.events";
    private static final Logger log = LoggerFactory.getLogger(DanmakuFeed.class);

    private final Rooms rooms;
    private final Shards shards;
    private final JsonMapper json;
    private final Duration replayWindow;
    private final MeterRegistry meters;
    final Map<String, Object> consumerConfig;
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Where each partition ended when the feed started; emptied as the feed reaches each end. */
    private final Map<TopicPartition, Long> behind = new ConcurrentHashMap<>();

    private volatile boolean running;
    private final Object lifecycle = new Object();
    private KafkaMessageListenerContainer<String, String> container;
    private Thread starting;

    DanmakuFeed(
            Rooms rooms,
            Shards shards,
            JsonMapper json,
            PushProperties properties,
            MeterRegistry meters,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        this.rooms = rooms;
        this.meters = meters;
        this.shards = shards;
        this.json = json;
        this.replayWindow = properties.replayWindow();
        this.consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG,
                "push-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "latest",
                // A fetch returns at feed-min-bytes or after feed-max-wait: a danmaku waits at most that long,
                // and the consumer's per-fetch cost is shared by the records that arrived meanwhile.
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG,
                properties.feedMinBytes(),
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                (int) properties.feedMaxWait().toMillis());
    }

    /** Before the web server (which starts at DEFAULT_PHASE - 2048), so no viewer arrives mid-rebuild. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 4096;
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            running = true;
            starting = Thread.ofPlatform().name("danmaku-feed-start").start(this::startContainer);
        }
        try {
            if (!ready.await(20, TimeUnit.SECONDS)) {
                log.warn("danmaku feed not caught up yet; live danmaku will start once Kafka answers");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Learns the topic's partitions (until Kafka answers), then reads this shard's in a listener container. */
    private void startContainer() {
        DefaultKafkaConsumerFactory<String, String> consumers =
                new DefaultKafkaConsumerFactory<>(consumerConfig, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = null;
        while (running && partitions == null) {
            try (Consumer<String, String> kafka = consumers.createConsumer()) {
                List<TopicPartition> all = kafka.partitionsFor(TOPIC).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
                shards.partitions(all.size());
                partitions = all.stream()
                        .filter(p -> shards.ownsPartition(p.partition()))
                        .toList();
                behind.putAll(kafka.endOffsets(partitions));
            } catch (RuntimeException e) {
                log.error("danmaku feed cannot read {} yet; retrying in 1 s", TOPIC, e);
                sleepQuietly();
            }
        }
        if (!running) {
            return;
        }
        // records-lag-max of the shard's own partitions: the lag panel and alert read it (by job and
        // client_id; the listener adds a spring.id tag besides)
        consumers.addListener(new MicrometerConsumerListener<>(meters));
        consumers.addListener(new ConsumerFactory.Listener<>() {
            private FunctionCounter fetched;

            @Override
            public void consumerAdded(String id, Consumer<String, String> consumer) {
                fetched = FetchedBytes.register(meters, "own", consumer);
            }

            @Override
            public void consumerRemoved(String id, Consumer<String, String> consumer) {
                if (fetched != null) {
                    meters.remove(fetched);
                }
            }
        });
        long since = Instant.now().minus(replayWindow).toEpochMilli();
        ContainerProperties properties = new ContainerProperties(partitions.stream()
                .map(p -> new TopicPartitionOffset(
                        p.topic(), p.partition(), since, TopicPartitionOffset.SeekPosition.TIMESTAMP))
                .toArray(TopicPartitionOffset[]::new));
        properties.setMessageListener(new Listener());
        properties.setPollTimeout(200);
        KafkaMessageListenerContainer<String, String> feed = new KafkaMessageListenerContainer<>(consumers, properties);
        feed.setBeanName("danmaku-feed");
        DefaultErrorHandler retry = new DefaultErrorHandler(new FixedBackOff(1000, FixedBackOff.UNLIMITED_ATTEMPTS));
        retry.setClassifications(Map.of(), true); // every failure is retried: a room must not miss a seq
        feed.setCommonErrorHandler(retry);
        synchronized (lifecycle) {
            if (running) {
                container = feed;
                feed.start();
                log.info(
                        "shard {} of {}: danmaku feed reading partitions {} of {}",
                        shards.index(),
                        shards.count(),
                        partitions.stream().map(TopicPartition::partition).toList(),
                        TOPIC);
            }
        }
    }

    /** Hands each record to its room, and tells when the start positions and the ends are reached. */
    private final class Listener implements MessageListener<String, String>, ConsumerSeekAware {

        /** Called by the container once it has sought to the start of the replay window (or the end). */
        @Override
        public void onPartitionsAssigned(Map<TopicPartition, Long> positions, ConsumerSeekCallback callback) {
            positions.forEach(DanmakuFeed.this::reached);
        }

        @Override
        public void onMessage(ConsumerRecord<String, String> record) {
            handle(record);
            reached(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        }
    }

    private void reached(TopicPartition partition, long position) {
        Long end = behind.get(partition);
        if (end != null && position >= end && behind.remove(partition) != null && behind.isEmpty()) {
            ready.countDown();
            log.info("danmaku feed caught up with the last {}", replayWindow);
        }
    }

    void handle(ConsumerRecord<String, String> record) {
        Header requestId = record.headers().lastHeader("X-Request-Id");
        if (requestId != null) {
            MDC.put("requestId", new String(requestId.value(), StandardCharsets.UTF_8));
        }
        try {
            JsonNode node = json.readTree(record.value());
            if (!(node instanceof ObjectNode event)
                    || event.path("version").asInt(0) != 1
                    || !event.path("videoId").canConvertToLong()
                    || !event.path("seq").canConvertToLong()
                    || !event.path("id").isValueNode()) {
                return; // not something this version understands
            }
            long videoId = event.get("videoId").asLong();
            long seq = event.get("seq").asLong();
            String id = event.get("id").asString();
            if (seq <= 0 || id.isEmpty()) {
                return;
            }
            switch (event.path("type").asString("")) {
                case "DanmakuCreated" -> {
                    event.remove("type");
                    event.remove("version");
                    rooms.created(videoId, new Item(seq, id, json.writeValueAsString(event), createdAt(event)));
                }
                case "DanmakuDeleted" -> rooms.deleted(videoId, id, seq);
                default -> {
                    // another event on the stream: not ours
                }
            }
        } catch (JacksonException e) {
            log.warn("skipping unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
        } finally {
            MDC.remove("requestId");
        }
    }

    private static long createdAt(JsonNode event) {
        try {
            return Instant.parse(event.path("createdAt").asString("")).toEpochMilli();
        } catch (DateTimeParseException e) {
            return 0; // still delivered, just not measured
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        synchronized (lifecycle) {
            running = false;
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
}
