package io.barrage.push.room;

import io.barrage.push.PushProperties;
import io.barrage.push.history.History;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every room of this instance, and the clock that flushes their batches, announces online counts, pings
 * viewers and forgets quiet rooms. A room exists while it has viewers or recent events: the feed keeps
 * every owned video's recent stream, watched or not, so that viewers can resume after this shard restarts.
 */
@Component
public class Rooms implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Rooms.class);
    private static final String REQUEST_ID = "requestId";

    private final Map<Long, Room> rooms = new ConcurrentHashMap<>();
    private final PushProperties properties;
    private final Frames frames;
    private final History history;
    private final SpreadView spread;
    /** A virtual thread per resume's catch-up, which waits on history and on the viewer's queue. */
    private final Executor catchUps = Thread::startVirtualThread;

    private final AtomicInteger connections = new AtomicInteger();
    private final Timer deliveryLatency;
    private final Counter resumes;
    private final Counter gaps;
    private ScheduledExecutorService clock;

    Rooms(PushProperties properties, Frames frames, History history, SpreadView spread, MeterRegistry meters) {
        this.properties = properties;
        this.frames = frames;
        this.history = history;
        this.spread = spread;
        Gauge.builder("barrage.push.connections", connections, AtomicInteger::get)
                .description("Open WebSocket connections on this push shard")
                .register(meters);
        Gauge.builder("barrage.push.rooms", rooms, Map::size)
                .description("Videos with viewers or a recent stream on this push shard")
                .register(meters);
        this.deliveryLatency = Timer.builder("barrage.danmaku.delivery.latency")
                .description("From the danmaku's acknowledgement (its createdAt) to its frame leaving for viewers")
                .publishPercentileHistogram()
                .register(meters);
        this.resumes = Counter.builder("barrage.push.resumes")
                .description("Connections that resumed with since")
                .register(meters);
        this.gaps = Counter.builder("barrage.push.resume.gaps")
                .description("Resumes that had to report a gap (history unavailable, lagging or too far back)")
                .register(meters);
    }

    private Room newRoom() {
        return new Room(
                frames,
                properties.batchSize(),
                properties.ringSize(),
                properties.replayWindow().toNanos(),
                deliveryLatency);
    }

    /**
     * A new viewer of the video on this channel, given the room's online count and, with {@code since}, what
     * it missed. {@code requestId} is the upgrade request's, for the logs of the catch-up's history call.
     */
    Viewer join(long videoId, Channel channel, Viewer.Closer closer, Long since, String requestId) {
        Viewer viewer = new Viewer(
                channel,
                closer,
                videoId,
                properties.sendBufferBytes(),
                properties.sendTimeLimit().toNanos(),
                properties.maxSkips());
        Room.CatchUp[] catchUp = new Room.CatchUp[1];
        Room room = rooms.compute(videoId, (id, existing) -> {
            Room joined = existing != null ? existing : newRoom();
            catchUp[0] = joined.join(viewer, since);
            return joined;
        });
        connections.incrementAndGet();
        viewer.send(Frames.online(room.online() + spread.elsewhere(videoId)));
        if (catchUp[0] != null) {
            resumes.increment();
            catchUps.execute(() -> {
                MDC.put(REQUEST_ID, requestId);
                catchUp(viewer, catchUp[0]);
            });
        }
        return viewer;
    }

    /** Sends a resuming viewer what it missed, in seq order, then lets its held live frames follow. */
    private void catchUp(Viewer viewer, Room.CatchUp plan) {
        try {
            if (plan.until() < 0 || plan.until() > plan.since()) {
                boolean stayed = history.since(viewer.videoId(), plan.since(), plan.until(), new History.Sink() {
                    @Override
                    public boolean items(List<Item> items) throws InterruptedException {
                        return sendAll(viewer, items);
                    }

                    @Override
                    public void gap(long fromSeq, long toSeq) {
                        gaps.increment();
                        viewer.catchUpGap(fromSeq, toSeq);
                    }
                });
                if (!stayed) {
                    return;
                }
            }
            if (!sendAll(viewer, plan.ring())) {
                return;
            }
            if (!plan.removed().isEmpty()) {
                viewer.catchUp(frames.deleted(plan.removed()));
            }
            viewer.release();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            viewer.close(Viewer.SERVICE_RESTARTED, "shard stopping");
        } catch (RuntimeException e) {
            log.error("resume of viewer {} failed", viewer.id(), e);
            viewer.close(Viewer.SERVER_ERROR, "resume failed");
        }
    }

    private boolean sendAll(Viewer viewer, List<Item> items) throws InterruptedException {
        int batch = properties.batchSize();
        for (int i = 0; i < items.size(); i += batch) {
            if (!viewer.catchUp(Frames.danmaku(items.subList(i, Math.min(items.size(), i + batch))))) {
                return false;
            }
        }
        return true;
    }

    void leave(Viewer viewer) {
        Room room = rooms.get(viewer.videoId());
        if (room != null && room.remove(viewer)) {
            connections.decrementAndGet();
        }
    }

    /** Open viewer connections on this shard. */
    public int connections() {
        return connections.get();
    }

    /** This shard's viewers of each video that has any, for the spread decisions and reports. */
    public Map<Long, Integer> viewersByVideo() {
        Map<Long, Integer> viewers = new java.util.HashMap<>();
        rooms.forEach((videoId, room) -> {
            int online = room.online();
            if (online > 0) {
                viewers.put(videoId, online);
            }
        });
        return viewers;
    }

    /** A DanmakuCreated of an owned video. */
    public void created(long videoId, Item item) {
        rooms.compute(videoId, (id, existing) -> {
            Room room = existing != null ? existing : newRoom();
            room.created(item);
            return room;
        });
    }

    /** A DanmakuDeleted of an owned video: a deletion, or a seq voided by the sequencer. */
    public void deleted(long videoId, String id, long seq) {
        rooms.compute(videoId, (key, existing) -> {
            Room room = existing != null ? existing : newRoom();
            room.deleted(id, seq);
            return room;
        });
    }

    /** The last seq of the video this shard has seen (created or voided), 0 if none. */
    public long lastSeq(long videoId) {
        Room room = rooms.get(videoId);
        return room == null ? 0 : room.lastSeq();
    }

    /** The video's viewers: this shard's, plus those other shards of a spread set report. */
    public int online(long videoId) {
        return local(videoId) + spread.elsewhere(videoId);
    }

    /** The video's viewers on this shard. */
    public int local(long videoId) {
        Room room = rooms.get(videoId);
        return room == null ? 0 : room.online();
    }

    private void flushAll() {
        rooms.values().forEach(Room::flush);
    }

    private void announceOnline() {
        long now = System.nanoTime();
        long idle = properties.roomIdle().toNanos();
        for (Map.Entry<Long, Room> entry : rooms.entrySet()) {
            Room room = entry.getValue();
            room.trim(now);
            if (room.online() > 0) {
                room.broadcast(Frames.online(room.online() + spread.elsewhere(entry.getKey())));
            } else {
                rooms.computeIfPresent(entry.getKey(), (id, r) -> r.idleFor(idle, now) ? null : r);
            }
        }
    }

    private void heartbeat() {
        long now = System.nanoTime();
        long idleLimit = properties.idleTimeout().toNanos();
        Outbound ping = Outbound.control(Wire.EMPTY_PING);
        for (Room room : rooms.values()) {
            for (Viewer viewer : room.viewers()) {
                if (viewer.silentForNanos(now) > idleLimit) {
                    viewer.close(Viewer.GOING_AWAY, "idle");
                } else {
                    viewer.send(ping);
                }
            }
        }
    }

    /** At a fixed rate, so the time a run takes (a flush, say) is not added to every batch's wait. */
    private void every(Duration period, String what, Runnable task) {
        long millis = period.toMillis();
        clock.scheduleAtFixedRate(
                () -> {
                    try {
                        task.run();
                    } catch (RuntimeException e) {
                        // A failure must not cancel the periodic task.
                        log.error("{} failed", what, e);
                    }
                },
                millis,
                millis,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void start() {
        clock = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("room-clock").daemon(true).factory());
        every(properties.flushInterval(), "flush", this::flushAll);
        every(properties.onlineInterval(), "online count", this::announceOnline);
        every(properties.pingInterval(), "heartbeat", this::heartbeat);
    }

    @Override
    public synchronized void stop() {
        if (clock != null) {
            clock.shutdownNow();
            clock = null;
        }
        rooms.values()
                .forEach(room ->
                        room.viewers().forEach(viewer -> viewer.close(Viewer.SERVICE_RESTARTED, "shard stopping")));
    }

    @Override
    public synchronized boolean isRunning() {
        return clock != null;
    }
}
