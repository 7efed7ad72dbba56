package io.barrage.push.room;

import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One video on this shard: its viewers, the danmaku waiting for the next frame, and the video's recent
 * stream (the ring) that a reconnecting viewer resumes from.
 *
 * <p>The ring holds the video's latest events in seq order with no hole: each created danmaku, and each
 * seq voided by a sequencer tombstone (it is accounted for but carries nothing). If the stream ever jumps
 * (a seq missing, say because this shard started reading mid-stream), the ring restarts there, so it
 * always covers exactly the seqs from its first entry to {@code lastSeq}. Deletions of earlier danmaku
 * mark their entry and are remembered for a while, so a resuming viewer is told to remove them too.
 *
 * <p>Everything but the viewer set is guarded by this room's lock, which the feed takes for each event and
 * the clock for each flush, so every viewer gets the frames in the same order.
 */
final class Room {

    private static final int MAX_REMOVALS = 1000;

    /** One seq of the ring; {@code item} is null when the seq was voided. */
    private static final class Entry {
        final long seq;
        final Item item;
        final long at;
        boolean removed;

        Entry(long seq, Item item, long at) {
            this.seq = seq;
            this.item = item;
            this.at = at;
        }
    }

    private record Removal(String id, long seq, long at) {}

    /**
     * What a resuming viewer needs: from history the seqs in (since, until] ({@code until} -1: not known,
     * {@code until == since}: nothing), then the ring's items and the ids deleted since it may have seen them.
     */
    record CatchUp(long since, long until, List<Item> ring, List<String> removed) {}

    private final Set<Viewer> viewers = ConcurrentHashMap.newKeySet();
    private final Frames frames;
    private final int batchSize;
    private final int ringSize;
    private final long retentionNanos;
    private final Timer deliveryLatency;

    // guarded by this
    private final ArrayDeque<Entry> ring = new ArrayDeque<>();
    private final ArrayDeque<Removal> removals = new ArrayDeque<>();
    private final List<Item> pending = new ArrayList<>();
    private final List<String> pendingDeleted = new ArrayList<>();
    private long lastSeq; // 0 until this shard has seen a seq of the video
    private long lastEventAt = System.nanoTime();

    Room(Frames frames, int batchSize, int ringSize, long retentionNanos, Timer deliveryLatency) {
        this.frames = frames;
        this.batchSize = batchSize;
        this.ringSize = ringSize;
        this.retentionNanos = retentionNanos;
        this.deliveryLatency = deliveryLatency;
    }

    int online() {
        return viewers.size();
    }

    boolean remove(Viewer viewer) {
        return viewers.remove(viewer);
    }

    Iterable<Viewer> viewers() {
        return viewers;
    }

    synchronized boolean idleFor(long nanos, long now) {
        return viewers.isEmpty() && now - lastEventAt > nanos;
    }

    synchronized long lastSeq() {
        return lastSeq;
    }

    /** A DanmakuCreated. A seq already accounted for is a redelivery or a voided attempt arriving late. */
    synchronized void created(Item item) {
        long now = System.nanoTime();
        lastEventAt = now;
        if (lastSeq != 0 && item.seq() <= lastSeq) {
            return;
        }
        advance(new Entry(item.seq(), item, now));
        pending.add(item);
        if (pending.size() >= batchSize) {
            flush();
        }
    }

    /**
     * A DanmakuDeleted. Its seq above everything seen means it voids that seq (the attempt's danmaku never
     * reached this stream); otherwise it removes an earlier danmaku. Either way viewers are told to drop the
     * id, which is harmless for an id they never got, and necessary when a voided attempt's danmaku did go
     * out before its tombstone.
     */
    synchronized void deleted(String id, long seq) {
        long now = System.nanoTime();
        lastEventAt = now;
        if (lastSeq != 0 && seq > lastSeq) {
            advance(new Entry(seq, null, now));
        } else {
            for (Iterator<Entry> it = ring.descendingIterator(); it.hasNext(); ) {
                Entry entry = it.next();
                if (entry.seq == seq) {
                    entry.removed = entry.item != null && entry.item.id().equals(id);
                    break;
                }
                if (entry.seq < seq) {
                    break;
                }
            }
            pending.removeIf(item -> item.id().equals(id));
            removals.add(new Removal(id, seq, now));
            if (removals.size() > MAX_REMOVALS) {
                removals.poll();
            }
        }
        pendingDeleted.add(id);
    }

    private void advance(Entry entry) {
        if (lastSeq != 0 && entry.seq != lastSeq + 1) {
            ring.clear(); // a hole: the ring covers from here on, older seqs come from history
        }
        ring.add(entry);
        lastSeq = entry.seq;
        trim(entry.at);
    }

    synchronized void trim(long now) {
        while (!ring.isEmpty() && (ring.size() > ringSize || now - ring.peek().at > retentionNanos)) {
            ring.poll();
        }
        while (!removals.isEmpty() && now - removals.peek().at() > retentionNanos) {
            removals.poll();
        }
    }

    /**
     * One frame for everything pending, built once and offered to every viewer, then the deletions. Offering
     * never blocks (see {@link Viewer}).
     */
    synchronized void flush() {
        if (!pending.isEmpty()) {
            Outbound frame = Frames.danmaku(pending);
            long now = System.currentTimeMillis();
            for (Item item : pending) {
                if (item.createdAtMillis() > 0) {
                    deliveryLatency.record(Math.max(0, now - item.createdAtMillis()), TimeUnit.MILLISECONDS);
                }
            }
            pending.clear();
            broadcast(frame);
        }
        if (!pendingDeleted.isEmpty()) {
            Outbound frame = frames.deleted(pendingDeleted);
            pendingDeleted.clear();
            broadcast(frame);
        }
    }

    void broadcast(Outbound frame) {
        for (Viewer viewer : viewers) {
            viewer.send(frame);
        }
    }

    /**
     * Adds a viewer. Without {@code since} it starts live. With it, the viewer holds its live frames while
     * the returned catch-up sends what it missed: from history for (since, until] when the ring does not
     * reach back that far, then the ring's
     * part. The pending batch is flushed first, so every later live frame is above what the catch-up covers.
     */
    synchronized CatchUp join(Viewer viewer, Long since) {
        flush();
        CatchUp catchUp = null;
        if (since == null || (lastSeq != 0 && since >= lastSeq)) {
            viewer.startAfter(since == null ? lastSeq : since);
        } else {
            long ringFirst = ring.isEmpty() ? lastSeq + 1 : ring.peek().seq;
            List<Item> missed = new ArrayList<>();
            for (Entry entry : ring) {
                if (entry.seq > since && entry.item != null && !entry.removed) {
                    missed.add(entry.item);
                }
            }
            List<String> removed = new ArrayList<>();
            for (Removal removal : removals) {
                if (removal.seq() <= since) {
                    removed.add(removal.id());
                }
            }
            long until = lastSeq == 0 ? -1 : Math.max(since, ringFirst - 1);
            viewer.startAfter(since);
            viewer.hold();
            catchUp = new CatchUp(since, until, missed, removed);
        }
        viewers.add(viewer);
        return catchUp;
    }
}
