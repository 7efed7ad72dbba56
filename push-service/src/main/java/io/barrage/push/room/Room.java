package io.barrage.push.room;

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

    Room(Frames frames, int batchSize) {
        this.frames = frames;
        this.batchSize = batchSize;
    }

    void add(Viewer viewer) {
        viewers.add(viewer);
    }

    void remove(Viewer viewer) {
        viewers.remove(viewer);
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
        pending.clear();
        broadcast(frame);
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
