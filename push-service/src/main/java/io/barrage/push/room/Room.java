package io.barrage.push.room;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.web.socket.TextMessage;
import tools.jackson.databind.JsonNode;

/** The viewers of one video in this instance and the danmaku waiting for the next frame. */
final class Room {

    private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
    private final List<JsonNode> pending = new ArrayList<>(); // guarded by this
    private final Frames frames;
    private final int batchSize;
    private final Timer deliveryLatency;

    Room(Frames frames, int batchSize, Timer deliveryLatency) {
        this.frames = frames;
        this.batchSize = batchSize;
        this.deliveryLatency = deliveryLatency;
    }

    void add(Viewer viewer) {
        viewers.add(viewer);
    }

    boolean remove(Viewer viewer) {
        return viewers.remove(viewer);
    }

    boolean isEmpty() {
        return viewers.isEmpty();
    }

    int online() {
        return viewers.size();
    }

    synchronized void append(JsonNode danmaku) {
        pending.add(danmaku);
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    /**
     * One frame for everything pending, built once and offered to every viewer while holding the room's
     * lock, so every viewer gets the frames in the same order. Offering never blocks (see {@link Viewer}).
     */
    synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        TextMessage frame = frames.danmaku(pending);
        Instant now = Instant.now();
        for (JsonNode danmaku : pending) {
            recordLatency(danmaku, now);
        }
        pending.clear();
        broadcast(frame);
    }

    private void recordLatency(JsonNode danmaku, Instant now) {
        try {
            Instant created = Instant.parse(danmaku.path("createdAt").asString());
            deliveryLatency.record(Duration.between(created, now));
        } catch (DateTimeParseException e) {
            // An event without a usable createdAt is still delivered; it just is not measured.
        }
    }

    void broadcast(TextMessage frame) {
        for (Viewer viewer : viewers) {
            viewer.send(frame);
        }
    }

    Iterable<Viewer> viewers() {
        return viewers;
    }
}
