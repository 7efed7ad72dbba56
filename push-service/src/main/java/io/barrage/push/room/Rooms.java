package io.barrage.push.room;

import io.barrage.push.PushProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.databind.JsonNode;

/**
 * Every room of this instance, and the clock that flushes their batches, announces online counts and
 * pings viewers. A room exists only while it has viewers: danmaku for videos nobody here watches are
 * dropped on arrival.
 */
@Component
public class Rooms implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Rooms.class);

    private final Map<Long, Room> rooms = new ConcurrentHashMap<>();
    private final PushProperties properties;
    private final Frames frames;
    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger connections = new AtomicInteger();
    private final Timer deliveryLatency;
    private ScheduledExecutorService clock;

    Rooms(PushProperties properties, Frames frames, MeterRegistry meters) {
        this.properties = properties;
        this.frames = frames;
        Gauge.builder("barrage.push.connections", connections, AtomicInteger::get)
                .description("Open WebSocket connections on this push shard")
                .register(meters);
        this.deliveryLatency = Timer.builder("barrage.danmaku.delivery.latency")
                .description("From the danmaku's acknowledgement (its createdAt) to its frame leaving for viewers")
                .publishPercentileHistogram()
                .register(meters);
    }

    Viewer join(long videoId, WebSocketSession session) {
        Viewer viewer = new Viewer(
                session,
                videoId,
                writers,
                properties.sendBufferBytes(),
                properties.sendTimeLimit().toNanos());
        Room room = rooms.compute(videoId, (id, existing) -> {
            Room joined = existing != null ? existing : new Room(frames, properties.batchSize(), deliveryLatency);
            joined.add(viewer);
            return joined;
        });
        connections.incrementAndGet();
        viewer.send(frames.online(room.online()));
        return viewer;
    }

    void leave(Viewer viewer) {
        rooms.computeIfPresent(viewer.videoId(), (id, room) -> {
            if (room.remove(viewer)) {
                connections.decrementAndGet();
            }
            return room.isEmpty() ? null : room;
        });
    }

    /** Adds one danmaku (the event minus its type and version) to its room's next frame. */
    public void deliver(long videoId, JsonNode danmaku) {
        Room room = rooms.get(videoId);
        if (room != null) {
            room.append(danmaku);
        }
    }

    public int online(long videoId) {
        Room room = rooms.get(videoId);
        return room == null ? 0 : room.online();
    }

    private void flushAll() {
        rooms.values().forEach(Room::flush);
    }

    private void announceOnline() {
        rooms.values().forEach(room -> room.broadcast(frames.online(room.online())));
    }

    private void heartbeat() {
        long now = System.nanoTime();
        long idleLimit = properties.idleTimeout().toNanos();
        PingMessage ping = new PingMessage();
        for (Room room : rooms.values()) {
            for (Viewer viewer : room.viewers()) {
                if (viewer.silentForNanos(now) > idleLimit) {
                    viewer.close(CloseStatus.GOING_AWAY.withReason("idle"));
                } else {
                    viewer.send(ping);
                }
            }
        }
    }

    private void every(Duration period, String what, Runnable task) {
        long millis = period.toMillis();
        clock.scheduleWithFixedDelay(
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
        rooms.values().forEach(room -> room.viewers().forEach(viewer -> viewer.close(CloseStatus.SERVICE_RESTARTED)));
    }

    @Override
    public synchronized boolean isRunning() {
        return clock != null;
    }
}
