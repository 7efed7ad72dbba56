package io.barrage.push.feed;

import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads {@code danmaku.events} from the end and hands each {@code DanmakuCreated} to its room.
 *
 * <p>Live delivery only cares about what happens from now on and keeps no offsets, so there is no
 * consumer group: the consumer assigns itself the partitions and seeks to their end, and it is "ready"
 * once those end positions are fixed, before which the instance does not finish starting. A shard
 * assigns only the partitions of its own videos (see {@link Shards}), so it never receives another
 * shard's traffic, and there is no rebalancing.
 */
@Component
class DanmakuFeed implements SmartLifecycle {

    static final String TOPIC = "danmaku.events";
    private static final Logger log = LoggerFactory.getLogger(DanmakuFeed.class);

    private final Rooms rooms;
    private final Shards shards;
    private final JsonMapper json;
    private final String bootstrapServers;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running;
    private volatile KafkaConsumer<String, String> consumer;
    private Thread thread;

    DanmakuFeed(
            Rooms rooms,
            Shards shards,
            JsonMapper json,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        this.rooms = rooms;
        this.shards = shards;
        this.json = json;
        this.bootstrapServers = bootstrapServers;
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = Thread.ofPlatform().name("danmaku-feed").start(this::run);
        try {
            if (!ready.await(15, TimeUnit.SECONDS)) {
                log.warn("danmaku feed not positioned yet; live danmaku will start once Kafka answers");
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
            try (KafkaConsumer<String, String> kafka = new KafkaConsumer<>(consumerProperties())) {
                consumer = kafka;
                List<TopicPartition> all = kafka.partitionsFor(TOPIC).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition()))
                        .toList();
                shards.partitions(all.size());
                List<TopicPartition> partitions = all.stream()
                        .filter(p -> shards.ownsPartition(p.partition()))
                        .toList();
                kafka.assign(partitions);
                kafka.seekToEnd(partitions);
                // seekToEnd is lazy; asking for the positions fixes them now, so nothing sent later is missed.
                partitions.forEach(kafka::position);
                ready.countDown();
                log.info(
                        "shard {} of {}: danmaku feed reading partitions {} of {}",
                        shards.index(),
                        shards.count(),
                        partitions.stream().map(TopicPartition::partition).toList(),
                        TOPIC);
                while (running) {
                    for (ConsumerRecord<String, String> record : kafka.poll(Duration.ofMillis(500))) {
                        handle(record);
                    }
                }
            } catch (WakeupException e) {
                // stop() asked us to leave
            } catch (RuntimeException e) {
                // A restart from the end loses what arrived meanwhile; issue 6 adds resume from seq.
                log.error("danmaku feed failed; restarting in 1 s", e);
                sleepQuietly();
            } finally {
                consumer = null;
            }
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        Header requestId = record.headers().lastHeader("X-Request-Id");
        if (requestId != null) {
            MDC.put("requestId", new String(requestId.value(), StandardCharsets.UTF_8));
        }
        try {
            JsonNode node = json.readTree(record.value());
            if (!(node instanceof ObjectNode event)
                    || !"DanmakuCreated".equals(event.path("type").asString(""))
                    || event.path("version").asInt(0) != 1
                    || !event.path("videoId").canConvertToLong()) {
                return; // not something this version understands
            }
            long videoId = event.get("videoId").asLong();
            event.remove("type");
            event.remove("version");
            rooms.deliver(videoId, event);
        } catch (JacksonException e) {
            log.warn("skipping unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
        } finally {
            MDC.remove("requestId");
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
