package io.barrage.push.feed;

import io.barrage.push.shard.Shards;
import io.barrage.push.spread.SpreadTopic;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.stereotype.Component;

/**
 * Reads the partitions of other shards' hot videos that this shard serves (see {@link SpreadTopic#serving()}),
 * beside {@link DanmakuFeed}'s own partitions, and hands their records to the rooms, filtered to the videos
 * it serves by the record key (the video id), before any parsing.
 *
 * <p>A partition is read from its end at the moment it is added: the rooms of a borrowed video start as a
 * restarted shard's rooms of a quiet video do, and a viewer resuming here takes what it missed from history
 * (as after a restart). The partition counts as positioned (and the shard reports itself ready to the
 * gateway, which only then routes viewers here) once the consumer knows its position. A partition with no
 * served video left is dropped. A separate consumer, so the own feed's assignment, start-up catch-up and
 * error handling stay as they were; it fetches with the same min-bytes and max-wait.
 */
@Component
class BorrowedFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BorrowedFeed.class);

    private final DanmakuFeed feed;
    private final SpreadTopic spread;
    private final Shards shards;
    private final MeterRegistry meters;
    private volatile boolean running;
    private Thread loop;
    private KafkaConsumer<String, String> consumer;
    private MicrometerConsumerListener<String, String> metrics;
    private FunctionCounter fetched;

    BorrowedFeed(DanmakuFeed feed, SpreadTopic spread, Shards shards, MeterRegistry meters) {
        this.feed = feed;
        this.spread = spread;
        this.shards = shards;
        this.meters = meters;
    }

    private void run() {
        Set<Integer> assigned = new HashSet<>();
        while (running) {
            try {
                Set<Integer> wanted = new HashSet<>();
                for (long videoId : spread.serving()) {
                    int partition = shards.partitionOf(videoId);
                    if (!shards.ownsPartition(partition)) {
                        wanted.add(partition);
                    }
                }
                if (!wanted.equals(assigned)) {
                    reassign(assigned, wanted);
                    assigned = wanted;
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(100);
                    continue;
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (servedHere(record.key())) {
                        feed.handle(record);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("borrowed feed failed; retrying in 1 s", e);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private boolean servedHere(String key) {
        try {
            return key != null && spread.serving().contains(Long.parseLong(key));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void reassign(Set<Integer> before, Set<Integer> after) {
        List<TopicPartition> partitions = after.stream()
                .map(p -> new TopicPartition(DanmakuFeed.TOPIC, p))
                .toList();
        Map<TopicPartition, Long> kept = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (before.contains(partition.partition())) {
                kept.put(partition, consumer.position(partition));
            }
        }
        consumer.assign(partitions);
        kept.forEach(consumer::seek);
        List<TopicPartition> added =
                partitions.stream().filter(p -> !before.contains(p.partition())).toList();
        consumer.seekToEnd(added);
        added.forEach(consumer::position); // resolves the end now, so nothing published from here on is missed
        spread.positioned(after);
        log.info(
                "shard {}: reading partitions {} of {} for hot videos of other shards",
                shards.index(),
                after,
                DanmakuFeed.TOPIC);
    }

    /** After the own feed (it learns the partition count), before the web server. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 4000;
    }

    @Override
    public synchronized void start() {
        Map<String, Object> config = new HashMap<>(feed.consumerConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "push-borrowed-" + UUID.randomUUID());
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        // the same meters as the own feed's (bytes fetched, lag), tagged with this consumer's client id
        metrics = new MicrometerConsumerListener<>(meters);
        metrics.consumerAdded("borrowed-feed", consumer);
        fetched = FetchedBytes.register(meters, "borrowed", consumer);
        running = true;
        loop = Thread.ofPlatform().name("borrowed-feed").start(this::run);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            loop = null;
        }
        if (metrics != null) {
            metrics.consumerRemoved("borrowed-feed", consumer);
            meters.remove(fetched);
        }
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
