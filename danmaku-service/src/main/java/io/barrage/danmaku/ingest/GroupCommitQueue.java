package io.barrage.danmaku.ingest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Group commit per key, like a database's: callers of one key queue up behind the one whose batch is being
 * committed, and the first of them then commits everything that queued meanwhile (up to {@code maxBatch})
 * in one go. Keys are independent; a key's batches run one at a time, in arrival order, on the callers'
 * own threads.
 *
 * <p>The committer settles each entry of its batch ({@link Entry#complete}, {@link Entry#fail}); if it
 * throws, every entry it had not settled fails with that exception. A caller still queued after {@code
 * maxWait} leaves with {@code timedOut}; one whose entry is already being committed waits for its outcome.
 */
final class GroupCommitQueue<K, T, R> {

    /** Commits one key's batch; entries it leaves unsettled fail. */
    @FunctionalInterface
    interface Committer<K, T, R> {
        void commit(K key, List<Entry<T, R>> batch);
    }

    /** One submitted item and its outcome. */
    static final class Entry<T, R> {
        private final T item;
        private R result;
        private RuntimeException failure;
        private boolean settled;
        private boolean done; // its batch is over: the caller may leave
        private boolean lead; // its caller commits the next batch

        private Entry(T item) {
            this.item = item;
        }

        T item() {
            return item;
        }

        void complete(R value) {
            result = value;
            settled = true;
        }

        void fail(RuntimeException e) {
            failure = e;
            settled = true;
        }

        boolean settled() {
            return settled;
        }
    }

    /** The queue of one key; {@code busy} while one of its callers is committing. */
    private static final class Lane<T, R> {
        final ArrayDeque<Entry<T, R>> waiting = new ArrayDeque<>();
        boolean busy;
    }

    private final int maxBatch;
    private final long maxWaitNanos;
    private final Committer<K, T, R> committer;
    private final Function<K, RuntimeException> timedOut;
    private final ConcurrentHashMap<K, Lane<T, R>> lanes = new ConcurrentHashMap<>();

    GroupCommitQueue(
            int maxBatch, Duration maxWait, Committer<K, T, R> committer, Function<K, RuntimeException> timedOut) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1");
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.committer = committer;
        this.timedOut = timedOut;
    }

    /** Queues {@code item} under {@code key} and returns its outcome once its batch is committed. */
    R submit(K key, T item) {
        Entry<T, R> me = new Entry<>(item);
        Lane<T, R> lane = join(key, me);
        long deadline = System.nanoTime() + maxWaitNanos;
        boolean interrupted = false;
        synchronized (lane) {
            while (!me.lead && !me.done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (lane.waiting.remove(me)) { // not taken into a batch: safe to give up
                        throw timedOut.apply(key);
                    }
                    left = 1_000_000_000L; // already being committed: its outcome is near
                    deadline = System.nanoTime() + left;
                }
                try {
                    lane.wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true; // restored below; a queued item still needs its outcome
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!me.done) {
            lead(key, lane);
        }
        if (me.failure != null) {
            throw me.failure;
        }
        return me.result;
    }

    private Lane<T, R> join(K key, Entry<T, R> me) {
        while (true) {
            Lane<T, R> lane = lanes.computeIfAbsent(key, k -> new Lane<>());
            synchronized (lane) {
                if (lanes.get(key) != lane) {
                    continue; // retired while we looked it up
                }
                lane.waiting.add(me);
                if (!lane.busy) {
                    lane.busy = true;
                    me.lead = true;
                }
                return lane;
            }
        }
    }

    private void lead(K key, Lane<T, R> lane) {
        List<Entry<T, R>> batch = new ArrayList<>();
        synchronized (lane) {
            while (!lane.waiting.isEmpty() && batch.size() < maxBatch) {
                batch.add(lane.waiting.poll());
            }
        }
        try {
            committer.commit(key, batch);
            for (Entry<T, R> entry : batch) {
                if (!entry.settled) {
                    entry.fail(new IllegalStateException("the committer left an entry unsettled"));
                }
            }
        } catch (RuntimeException e) {
            for (Entry<T, R> entry : batch) {
                if (!entry.settled) {
                    entry.fail(e);
                }
            }
        } finally {
            synchronized (lane) {
                batch.forEach(entry -> entry.done = true);
                Entry<T, R> next = lane.waiting.peek();
                if (next != null) {
                    next.lead = true;
                } else {
                    lane.busy = false;
                    lanes.remove(key, lane);
                }
                lane.notifyAll();
            }
        }
    }
}
