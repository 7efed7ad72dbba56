package io.barrage.gateway.shard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hot videos' spread sets and the push shards' viewer reports, read from push-service's compacted
 * {@code push.spread} topic: every partition from the beginning, manual assignment, no consumer group, so a
 * restarted gateway routes as the others do (see docs/design/hot-rooms.md for the records). Without Kafka
 * ({@code spring.kafka.bootstrap-servers} empty) nothing is spread and every video goes to its owner.
 */
@Component
public class SpreadSets implements SmartLifecycle {

    static final String TOPIC = "push.spread";
    private static final Logger log = LoggerFactory.getLogger(SpreadSets.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Set(long videoId, int owner, List<Integer> shards, long version) {}

    /** A shard's last report: viewers, whether it reads the partition yet, when it was read. */
    record Report(int viewers, boolean ready, long seenAtMillis) {}

    private final String bootstrapServers;
    private final long timeoutMillis;
    private final Map<Long, Set> sets = new ConcurrentHashMap<>();
    private final Map<Long, Map<Integer, Report>> reports = new ConcurrentHashMap<>();
    /** Viewers this gateway sent to a shard since its last report, so a burst does not all go to one. */
    private final Map<String, AtomicInteger> sentSinceReport = new ConcurrentHashMap<>();

    private volatile boolean running;
    private Thread reader;
    private KafkaConsumer<String, String> consumer;

    SpreadSets(
            @Value("${spring.kafka.bootstrap-servers}") String bootstrapServers,
            @Value("${barrage.gateway.push-spread-report-timeout}") Duration timeout) {
        this.bootstrapServers = bootstrapServers;
        this.timeoutMillis = timeout.toMillis();
    }

    /**
     * The shards a new viewer of this video may go to, the owner first: the owner alone for a cold video;
     * for a spread one, the owner and the members that report reading the video's partition. An owner whose
     * own report went stale has died (it reports every interval while the video is spread): its new viewers
     * go to the members, which read the partition without it, until it is back.
     */
    List<Integer> candidates(long videoId, int owner) {
        Set set = sets.get(videoId);
        if (set == null || set.shards().size() < 2) {
            return List.of(owner);
        }
        long now = System.currentTimeMillis();
        Map<Integer, Report> byShard = reports.getOrDefault(videoId, Map.of());
        List<Integer> members = new ArrayList<>();
        for (int shard : set.shards()) {
            Report report = byShard.get(shard);
            boolean fresh = report != null && report.ready() && now - report.seenAtMillis() <= timeoutMillis;
            // before its first report (just spread) the owner counts as alive
            boolean ownerAlive = shard == set.owner() && (report == null || fresh);
            if (ownerAlive || fresh) {
                members.add(shard);
            }
        }
        return members.isEmpty() ? List.of(set.owner()) : members;
    }

    /** The reported viewers of the video on the shard, plus those this gateway sent there since. */
    int load(long videoId, int shard) {
        Report report = reports.getOrDefault(videoId, Map.of()).get(shard);
        AtomicInteger sent = sentSinceReport.get(videoId + "/" + shard);
        return (report == null ? 0 : report.viewers()) + (sent == null ? 0 : sent.get());
    }

    void sent(long videoId, int shard) {
        sentSinceReport
                .computeIfAbsent(videoId + "/" + shard, k -> new AtomicInteger())
                .incrementAndGet();
    }

    void apply(String key, String value, long seenAt) {
        String[] parts = key == null ? new String[0] : key.split("/");
        try {
            if (parts.length == 2 && parts[0].equals("set") && value == null) {
                // the set closed and its owner forgot it (a tombstone): cold again; its next set starts anew
                sets.remove(Long.parseLong(parts[1]));
            } else if (parts.length == 2 && parts[0].equals("set")) {
                JsonNode node = JSON.readTree(value);
                List<Integer> members = new ArrayList<>();
                node.path("shards").forEach(s -> members.add(s.asInt()));
                Set set = new Set(
                        Long.parseLong(parts[1]),
                        node.path("owner").asInt(),
                        members,
                        node.path("version").asLong());
                if (!members.isEmpty()) {
                    sets.merge(set.videoId(), set, (old, neu) -> neu.version() > old.version() ? neu : old);
                }
            } else if (parts.length == 3 && parts[0].equals("viewers")) {
                long videoId = Long.parseLong(parts[1]);
                int shard = Integer.parseInt(parts[2]);
                sentSinceReport.remove(videoId + "/" + shard);
                if (value == null) {
                    reports.computeIfPresent(videoId, (v, byShard) -> {
                        byShard.remove(shard);
                        return byShard.isEmpty() ? null : byShard;
                    });
                } else {
                    JsonNode node = JSON.readTree(value);
                    Report report = new Report(
                            node.path("viewers").asInt(), node.path("ready").asBoolean(), seenAt);
                    // inside the map's compute, so a withdrawal that empties the video's reports never loses it
                    reports.compute(videoId, (v, byShard) -> {
                        Map<Integer, Report> held = byShard == null ? new ConcurrentHashMap<>() : byShard;
                        held.put(shard, report);
                        return held;
                    });
                }
            }
        } catch (RuntimeException e) {
            log.warn("skipping unreadable {} record {}", TOPIC, key);
        }
    }

    private void read() {
        List<TopicPartition> partitions = new ArrayList<>();
        Map<TopicPartition, Long> ends = Map.of();
        while (running && partitions.isEmpty()) {
            try {
                consumer.partitionsFor(TOPIC).forEach(i -> partitions.add(new TopicPartition(TOPIC, i.partition())));
                if (partitions.isEmpty()) {
                    Thread.sleep(1000);
                    continue;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                ends = consumer.endOffsets(partitions);
            } catch (WakeupException | InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                partitions.clear();
                log.warn("cannot read {} yet ({}); hot videos go to their owner meanwhile", TOPIC, e.toString());
                pause();
            }
        }
        Map<TopicPartition, Long> behind = new ConcurrentHashMap<>(ends);
        while (running) {
            try {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    // a report read while catching up counts from its own time, not from now
                    apply(
                            record.key(),
                            record.value(),
                            behind.isEmpty() ? System.currentTimeMillis() : record.timestamp());
                }
                behind.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("reading {} failed ({}); retrying in 1 s", TOPIC, e.toString());
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void start() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            log.warn("spring.kafka.bootstrap-servers is not set: hot videos are not spread by this gateway");
            return;
        }
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "gateway-spread-" + UUID.randomUUID(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new StringDeserializer(),
                new StringDeserializer());
        running = true;
        reader = Thread.ofPlatform().daemon().name("push-spread-reader").start(this::read);
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            consumer.close();
            consumer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
