package io.barrage.push.feed;

import io.barrage.push.PushProperties;
import io.barrage.push.room.Item;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads this shard's partitions of {@code danmaku.events} and hands each {@code DanmakuCreated} and {@code
 * DanmakuDeleted} to its room.
 *
 * <p>There is no consumer group: the feed assigns itself the partitions of its own videos (see {@link
 * Shards}), so it never receives another shard's traffic and there is no rebalancing. It starts {@code
 * replay-window} back in time ({@code offsetsForTimes}), not at the end, so the rooms' rings hold the recent
 * stream again and viewers of a restarted shard resume without a hole; it counts as ready once it has read
 * up to where the partitions ended when it started, and it starts before the web server, so viewers
 * connect only then. After a failure it carries on from the next unread offset of each partition.
 */
@Component
class DanmakuFeed implements SmartLifecycle {

    static final String TOPIC = "danmaku.events";
    private static final Logger log = LoggerFactory.getLogger(DanmakuFeed.class);

    private final Rooms rooms;
    private final Shards shards;
    private final JsonMapper json;
    private final String bootstrapServers;
    private final Duration replayWindow;
    private final MeterRegistry meters;
    private final Duration fetchMaxWait;
    private final int fetchMinBytes;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Map<TopicPartition, Long> next = new HashMap<>(); // feed thread only
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

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
        this.fetchMaxWait = properties.feedMaxWait();
        this.fetchMinBytes = properties.feedMinBytes();
        this.bootstrapServers = bootstrapServers;
    }

    /** Before the web server (which starts at DEFAULT_PHASE - 2048), so no viewer arrives mid-rebuild. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 4096;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().name("danmaku-feed").start(this::run);
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

    private void run() {
        while (running) {
            try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(consumerProperties());
                    // records-lag-max of the shard's own partitions: the lag panel and alert read it
                    KafkaClientMetrics metrics = new KafkaClientMetrics(kafka)) {
                metrics.bindTo(meters);
                consumer = kafka;
                List<TopicPartition> all = kafka.partitionsFor(TOPIC).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
                shards.partitions(all.size());
                List<TopicPartition> partitions = all.stream()
                        .filter(p -> shards.ownsPartition(p.partition()))
                        .toList();
                kafka.assign(partitions);
                position(kafka, partitions);
                Map<TopicPartition, Long> end = kafka.endOffsets(partitions);
                log.info(
                        "shard {} of {}: danmaku feed reading partitions {} of {}",
                        shards.index(),
                        shards.count(),
                        partitions.stream().map(TopicPartition::partition).toList(),
                        TOPIC);
                while (running) {
                    for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(200))) {
                        handle(record);
                        next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
                    }
                    if (ready.getCount() > 0 && partitions.stream().allMatch(p -> kafka.position(p) >= end.get(p))) {
                        ready.countDown();
                        log.info("danmaku feed caught up with the last {}", replayWindow);
                    }
                }
            } catch (WakeupException e) {
                // stop() asked us to leave
            } catch (RuntimeException e) {
                log.error("danmaku feed failed; restarting in 1 s", e);
                sleepQuietly();
            } finally {
                consumer = null;
            }
        }
    }

    /** Where we left off if we did, else replay-window back in time (or the end, if nothing is that recent). */
    private void position(KafkaConsumer<String, String> kafka, List<TopicPartition> partitions) {
        long since = Instant.now().minus(replayWindow).toEpochMilli();
        Map<TopicPartition, Long> times = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long offset = next.get(partition);
            if (offset != null) {
                kafka.seek(partition, offset);
            } else {
                times.put(partition, since);
            }
        }
        if (times.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndTimestamp> found = kafka.offsetsForTimes(times);
        for (TopicPartition partition : times.keySet()) {
            OffsetAndTimestamp at = found.get(partition);
            if (at != null) {
                kafka.seek(partition, at.offset());
            } else {
                kafka.seekToEnd(List.of(partition));
            }
        }
        // seekToEnd is lazy; asking for the positions fixes them now, so nothing sent later is missed.
        partitions.forEach(kafka::position);
    }

    private void handle(ConsumerRecord<String, String> record) {
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

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "push-" + UUID.randomUUID());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // A fetch returns at feed-min-bytes or after feed-max-wait: a danmaku waits at most that long,
        // and the consumer's per-fetch cost is shared by the records that arrived meanwhile.
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetchMinBytes);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetchMaxWait.toMillis());
        return props;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void stop() {
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
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
