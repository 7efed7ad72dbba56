package io.barrage.push.spread;

import io.barrage.push.PushProperties;
import io.barrage.push.room.SpreadView;
import io.barrage.push.shard.Shards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The spread sets and the viewer reports, as read from the compacted topic {@code push.spread}, and the one
 * writer of this shard's own records there.
 *
 * <p>Two kinds of record share the topic, each keyed so compaction keeps only the latest: {@code set/{video}}
 * (the owner's {@link SpreadSet}; a null value once the set closed and no other shard holds viewers) and
 * {@code viewers/{video}/{shard}} (a shard's viewers of a spread video and whether it reads the video's
 * partition yet; a null value withdraws the report). So the topic holds keys for hot videos only. Every shard reads every
 * partition from the beginning with manual assignment (no consumer group), so a restarted shard knows the
 * sets again before it takes viewers: it is ready once it has read up to where the topic ended when it
 * started.
 *
 * <p>A report counts for {@code spread-report-timeout} after it was read (a report read while catching up
 * counts from its own timestamp): a shard that dies without withdrawing its reports stops counting then, and
 * its viewers, who reconnect to the rest of the set, are counted there.
 */
@Component
public class SpreadTopic implements SpreadView, SmartLifecycle {

    public static final String TOPIC = "push.spread";
    private static final Logger log = LoggerFactory.getLogger(SpreadTopic.class);

    /** A shard's last report of a video: its viewers, whether it reads the partition, when it was read. */
    public record Report(int shard, int viewers, boolean ready, long seenAtMillis) {}

    private final Shards shards;
    private final JsonMapper json;
    private final long timeoutMillis;
    private final String bootstrapServers;
    private final Map<Long, SpreadSet> sets = new ConcurrentHashMap<>();
    private final Map<Long, Map<Integer, Report>> reports = new ConcurrentHashMap<>();
    /** Videos of other owners this shard serves now (set by the coordinator), and partitions it reads. */
    private volatile Set<Long> serving = Set.of();

    private final Set<Integer> positioned = ConcurrentHashMap.newKeySet();
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile boolean running;
    private Thread reader;
    private KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, String> producer;

    SpreadTopic(
            Shards shards,
            JsonMapper json,
            PushProperties properties,
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers) {
        this.shards = shards;
        this.json = json;
        this.timeoutMillis = properties.spreadReportTimeout().toMillis();
        this.bootstrapServers = bootstrapServers;
    }

    // --- what the rooms ask

    @Override
    public boolean serves(long videoId) {
        return serving.contains(videoId) && positionedFor(videoId);
    }

    @Override
    public int elsewhere(long videoId) {
        Map<Integer, Report> byShard = reports.get(videoId);
        if (byShard == null) {
            return 0;
        }
        long now = System.currentTimeMillis();
        int sum = 0;
        for (Report report : byShard.values()) {
            if (report.shard() != shards.index() && now - report.seenAtMillis() <= timeoutMillis) {
                sum += report.viewers();
            }
        }
        return sum;
    }

    // --- what the coordinator and the feed use

    public SpreadSet set(long videoId) {
        return sets.get(videoId);
    }

    public Map<Long, SpreadSet> sets() {
        return sets;
    }

    /** Whether any other shard has a fresh report of the video (it still holds viewers, or is in the set). */
    boolean reportedElsewhere(long videoId) {
        Map<Integer, Report> byShard = reports.get(videoId);
        long now = System.currentTimeMillis();
        return byShard != null
                && byShard.values().stream()
                        .anyMatch(r -> r.shard() != shards.index() && now - r.seenAtMillis() <= timeoutMillis);
    }

    /** The reports of a video, fresh or not, for the dashboard and tests. */
    public Map<Integer, Report> reports(long videoId) {
        return reports.getOrDefault(videoId, Map.of());
    }

    public Set<Long> serving() {
        return serving;
    }

    void serving(Set<Long> videos) {
        serving = Set.copyOf(videos);
    }

    /** Called by the borrowing feed once it reads a partition (from its end), or stopped reading it. */
    public void positioned(Set<Integer> partitions) {
        positioned.retainAll(partitions);
        positioned.addAll(partitions);
    }

    public boolean positionedFor(long videoId) {
        return positioned.contains(shards.partitionOf(videoId));
    }

    /** Publishes a new set and holds it at once (the owner is the only writer of its videos' sets). */
    void publish(SpreadSet set) {
        sets.merge(set.videoId(), set, (old, neu) -> neu.version() > old.version() ? neu : old);
        send(
                "set/" + set.videoId(),
                json.writeValueAsString(json.createObjectNode()
                        .put("videoId", set.videoId())
                        .put("owner", set.owner())
                        .put("version", set.version())
                        .set("shards", json.valueToTree(set.shards()))));
    }

    /**
     * Forgets a closed set and writes its tombstone, so compaction drops the video's {@code set/} key rather
     * than keep it forever. A reader treats a tombstone as no set; the next time the video is hot its set
     * starts again from version 1, which every reader accepts since the tombstone left it holding none.
     */
    void forget(long videoId) {
        sets.remove(videoId);
        send("set/" + videoId, null);
    }

    void report(long videoId, int viewers, boolean ready) {
        String key = "viewers/" + videoId + "/" + shards.index();
        hold(videoId, new Report(shards.index(), viewers, ready, System.currentTimeMillis()));
        send(
                key,
                json.writeValueAsString(json.createObjectNode()
                        .put("videoId", videoId)
                        .put("shard", shards.index())
                        .put("viewers", viewers)
                        .put("ready", ready)));
    }

    /** Inside the map's compute, so a withdrawal that empties a video's reports never loses this one. */
    private void hold(long videoId, Report report) {
        reports.compute(videoId, (v, byShard) -> {
            Map<Integer, Report> held = byShard == null ? new ConcurrentHashMap<>() : byShard;
            held.put(report.shard(), report);
            return held;
        });
    }

    void withdraw(long videoId) {
        reports.computeIfPresent(videoId, (v, byShard) -> {
            byShard.remove(shards.index());
            return byShard.isEmpty() ? null : byShard;
        });
        send("viewers/" + videoId + "/" + shards.index(), null);
    }

    private void send(String key, String value) {
        KafkaProducer<String, String> out = producer;
        if (out != null) {
            out.send(new ProducerRecord<>(TOPIC, key, value), (metadata, error) -> {
                if (error != null) {
                    log.warn("could not publish {} on {}: {}", key, TOPIC, error.toString());
                }
            });
        }
    }

    // --- reading the topic

    private void read() {
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, Long> ends = Map.of();
        while (running && partitions.isEmpty()) {
            try {
                consumer.partitionsFor(TOPIC)
                        .forEach(info -> partitions.add(new TopicPartition(TOPIC, info.partition())));
                if (partitions.isEmpty()) {
                    log.warn("{} does not exist yet; retrying in 1 s", TOPIC);
                    sleep(1000);
                    continue;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                ends = new ConcurrentHashMap<>(consumer.endOffsets(partitions));
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                partitions.clear();
                log.error("cannot read {} yet; retrying in 1 s", TOPIC, e);
                sleep(1000);
            }
        }
        Map<TopicPartition, Long> behind = new ConcurrentHashMap<>(ends);
        behind.entrySet().removeIf(e -> e.getValue() == 0);
        if (behind.isEmpty()) {
            ready.countDown();
        }
        while (running) {
            try {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    boolean catchingUp = ready.getCount() > 0;
                    apply(record, catchingUp ? record.timestamp() : System.currentTimeMillis());
                }
                if (ready.getCount() > 0) {
                    behind.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (behind.isEmpty()) {
                        ready.countDown();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                log.error("reading {} failed; retrying in 1 s", TOPIC, e);
                sleep(1000);
            }
        }
    }

    private void apply(ConsumerRecord<String, String> record, long seenAt) {
        String[] key = record.key() == null ? new String[0] : record.key().split("/");
        try {
            if (key.length == 2 && key[0].equals("set") && record.value() == null) {
                sets.remove(Long.parseLong(key[1])); // the set closed and its owner forgot it
            } else if (key.length == 2 && key[0].equals("set")) {
                JsonNode node = json.readTree(record.value());
                List<Integer> members = new ArrayList<>();
                node.path("shards").forEach(s -> members.add(s.asInt()));
                SpreadSet set = new SpreadSet(
                        Long.parseLong(key[1]),
                        node.path("owner").asInt(),
                        members,
                        node.path("version").asLong());
                if (!members.isEmpty()) {
                    sets.merge(set.videoId(), set, (old, neu) -> neu.version() > old.version() ? neu : old);
                }
            } else if (key.length == 3 && key[0].equals("viewers")) {
                long videoId = Long.parseLong(key[1]);
                int shard = Integer.parseInt(key[2]);
                if (shard == shards.index() && ready.getCount() == 0) {
                    return; // this shard's own, already held
                }
                if (record.value() == null) {
                    reports.computeIfPresent(videoId, (v, byShard) -> {
                        byShard.remove(shard);
                        return byShard.isEmpty() ? null : byShard;
                    });
                } else {
                    JsonNode node = json.readTree(record.value());
                    hold(
                            videoId,
                            new Report(
                                    shard,
                                    node.path("viewers").asInt(),
                                    node.path("ready").asBoolean(),
                                    seenAt));
                }
            }
        } catch (RuntimeException e) {
            log.warn("skipping unreadable {} record {}", TOPIC, record.key());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Before the feed and the web server: a shard knows the sets before it takes a viewer. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 8192;
    }

    @Override
    public synchronized void start() {
        running = true;
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "push-spread-" + UUID.randomUUID(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new StringDeserializer(),
                new StringDeserializer());
        producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        "push-spread-" + shards.index(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true),
                new StringSerializer(),
                new StringSerializer());
        reader = Thread.ofPlatform().name("spread-reader").start(this::read);
        try {
            if (!ready.await(20, TimeUnit.SECONDS)) {
                log.warn("{} not read to its end yet; spread sets will follow once Kafka answers", TOPIC);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reader = null;
        }
        if (consumer != null) {
            consumer.close();
            consumer = null;
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
