package io.barrage.push.spread;

import io.barrage.push.PushProperties;
import io.barrage.push.room.Rooms;
import io.barrage.push.shard.Shards;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Once every {@code spread-report-interval}: as the owner of its videos, decides their spread sets; as a
 * member of other owners' sets, says which of their videos it serves (so the borrowing feed reads their
 * partitions); and reports its viewers of every spread video it holds.
 *
 * <p>The owner's rule, with {@code t = spread-threshold} and the video's total viewers {@code v} (its own
 * plus the fresh reports): a video with one shard becomes hot when its room here reaches {@code t}, or when
 * this shard is full and the room is its largest; it then gets {@code K = max(2, ceil(v / t))} shards, at
 * most {@code spread-max-shards} and the shard count. A spread set grows when {@code ceil(v / t)} passes
 * {@code K}, and shrinks to {@code ceil(v / 0.8t)} once that is below {@code K} (the slack keeps an audience
 * hovering at a boundary from flapping the set); below {@code 0.8t} it is the owner alone again. A shard
 * that leaves a set keeps serving the viewers it holds and reading the partition until they are gone, but
 * gets no new ones (the gateway routes only to the set). Once the set is closed and no other shard reports
 * viewers, the owner writes the set's tombstone, so the compacted topic does not keep every video that was
 * ever hot.
 */
@Component
class SpreadCoordinator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SpreadCoordinator.class);
    private static final double SHRINK_SLACK = 0.8;

    private final Rooms rooms;
    private final Shards shards;
    private final SpreadTopic topic;
    private final PushProperties properties;
    private final int maxShards;
    private final MultiGauge setSizes;
    /** The videos this shard reported last time, so it withdraws the ones it no longer holds. */
    private Set<Long> reported = Set.of();

    private ScheduledExecutorService clock;

    SpreadCoordinator(Rooms rooms, Shards shards, SpreadTopic topic, PushProperties properties, MeterRegistry meters) {
        this.rooms = rooms;
        this.shards = shards;
        this.topic = topic;
        this.properties = properties;
        this.maxShards = Math.max(1, Math.min(properties.spreadMaxShards(), shards.count()));
        Gauge.builder(
                        "barrage.push.spread.owned",
                        topic,
                        t -> t.sets().values().stream()
                                .filter(s -> s.spread() && s.owner() == shards.index())
                                .count())
                .description("Videos this shard owns that are spread over several shards")
                .register(meters);
        Gauge.builder("barrage.push.spread.serving", topic, t -> t.serving().size())
                .description("Other shards' hot videos this shard serves viewers of")
                .register(meters);
        this.setSizes = MultiGauge.builder("barrage.push.spread.set.size")
                .description("Shards in the spread set of each hot video this shard owns")
                .register(meters);
    }

    void tick() {
        Map<Long, Integer> here = rooms.viewersByVideo();
        int index = shards.index();
        // the owner's decisions
        Set<Long> owned = new HashSet<>();
        here.keySet().stream().filter(shards::owns).forEach(owned::add);
        topic.sets().values().stream().filter(s -> s.owner() == index).forEach(s -> owned.add(s.videoId()));
        long largest = here.entrySet().stream()
                .filter(e -> shards.owns(e.getKey()))
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(-1L);
        boolean full = rooms.connections() >= properties.maxConnections();
        for (long videoId : owned) {
            decide(videoId, here.getOrDefault(videoId, 0), full && videoId == largest);
            SpreadSet set = topic.set(videoId);
            if (set != null && !set.spread() && !topic.reportedElsewhere(videoId)) {
                // closed, and the shards that left hold no viewers: the video is cold again
                topic.forget(videoId);
            }
        }
        // the videos of other owners this shard serves: those whose set includes it, and those it still holds
        Set<Long> serving = new HashSet<>();
        topic.sets().values().stream()
                .filter(s -> s.owner() != index && s.spread() && s.includes(index))
                .forEach(s -> serving.add(s.videoId()));
        here.keySet().stream().filter(v -> !shards.owns(v)).forEach(serving::add);
        topic.serving(serving);
        // reports: every video this shard serves for another owner, and its own spread or still-reported ones
        Set<Long> report = new HashSet<>(serving);
        for (long videoId : owned) {
            SpreadSet set = topic.set(videoId);
            if ((set != null && set.spread()) || topic.reportedElsewhere(videoId)) {
                report.add(videoId);
            }
        }
        for (long videoId : report) {
            boolean ready = shards.owns(videoId) || topic.positionedFor(videoId);
            topic.report(videoId, here.getOrDefault(videoId, 0), ready);
        }
        for (long videoId : reported) {
            if (!report.contains(videoId)) {
                topic.withdraw(videoId);
            }
        }
        reported = report;
        setSizes.register(
                topic.sets().values().stream()
                        .filter(s -> s.owner() == index && s.spread())
                        .map(s -> MultiGauge.Row.of(
                                Tags.of("video", Long.toString(s.videoId())),
                                s.shards().size()))
                        .toList(),
                true);
    }

    private void decide(long videoId, int local, boolean ownerFull) {
        int threshold = Math.max(1, properties.spreadThreshold());
        SpreadSet current = topic.set(videoId);
        int size = current == null ? 1 : current.shards().size();
        int total = local + topic.elsewhere(videoId);
        int wanted = size;
        if (size == 1) {
            if (local >= threshold || ownerFull) {
                wanted = Math.max(2, ceil(total, threshold));
            }
        } else if (ceil(total, threshold) > size) {
            wanted = ceil(total, threshold);
        } else if (ceil(total, threshold * SHRINK_SLACK) < size) {
            wanted = ceil(total, threshold * SHRINK_SLACK);
        }
        wanted = Math.max(1, Math.min(wanted, maxShards));
        if (wanted != size) {
            List<Integer> members = SpreadSet.of(shards.index(), wanted, shards.count());
            SpreadSet next =
                    new SpreadSet(videoId, shards.index(), members, current == null ? 1 : current.version() + 1);
            log.info("video {} ({} viewers): spread set {} -> {}", videoId, total, size, members);
            topic.publish(next);
        }
    }

    private static int ceil(int viewers, double perShard) {
        return (int) Math.ceil(viewers / perShard);
    }

    /** After the feed, so a shard reads its own partitions before it decides anything. */
    @Override
    public int getPhase() {
        return DEFAULT_PHASE - 2048;
    }

    @Override
    public synchronized void start() {
        clock = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("spread-clock").daemon(true).factory());
        long millis = properties.spreadReportInterval().toMillis();
        clock.scheduleAtFixedRate(
                () -> {
                    try {
                        tick();
                    } catch (RuntimeException e) {
                        log.error("spread tick failed", e);
                    }
                },
                millis,
                millis,
                TimeUnit.MILLISECONDS);
    }

    /** Withdraws this shard's reports, so the others' counts drop its viewers at once rather than at timeout. */
    @Override
    public synchronized void stop() {
        if (clock != null) {
            clock.shutdownNow();
            clock = null;
            reported.forEach(topic::withdraw);
            reported = Set.of();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return clock != null;
    }
}
