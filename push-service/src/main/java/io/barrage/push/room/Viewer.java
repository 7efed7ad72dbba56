package io.barrage.push.room;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection and its bounded outbound queue.
 *
 * <p>{@link #send} never blocks: it enqueues and, if no drain is under way, asks the connection's event loop
 * for one, so frames leave in the order they were offered and a slow client only ever holds up itself. The
 * drain hands frames to Netty while the channel is writable: that is the WebSocket stack's backpressure
 * (Netty's write-buffer high-water mark), and once the channel is not, the rest waits here, bounded by bytes,
 * until Netty reports it writable again ({@link #writable}). Frames go out as the bytes they were encoded to
 * once for the whole room ({@link Wire}).
 *
 * <p>A client that lets more than the byte bound pile up is skipped ahead: the danmaku frames still waiting
 * are dropped and replaced by one {@code gap} frame with their seq range (control frames stay). A client
 * skipped {@code maxSkips} times without its queue ever emptying in between, or whose channel has not
 * been writable for longer than the time limit, is disconnected with 1013 (try again later; it may resume with
 * {@code since}).
 *
 * <p>Every danmaku frame passes a seq floor, the highest seq this viewer has been given: whatever is not
 * above it is dropped, which is what makes a resume's seam between catch-up and live exactly-once. While
 * a resume is catching up ({@link #hold}), live frames wait in a second bounded list and follow the
 * catch-up.
 */
final class Viewer {

    private static final Logger log = LoggerFactory.getLogger(Viewer.class);
    /** Stands in the queue for the pending gap frame, which is built when it is written. */
    private static final Object GAP = new Object();

    /** WebSocket close codes (RFC 6455 §7.4.1 and IANA's registry). */
    static final int GOING_AWAY = 1001;

    static final int UNSUPPORTED_DATA = 1003;
    static final int POLICY_VIOLATION = 1008;
    static final int TOO_BIG = 1009;
    static final int SERVER_ERROR = 1011;
    static final int SERVICE_RESTARTED = 1012;
    static final int TRY_AGAIN_LATER = 1013;

    /** How a viewer is let go: a close frame with this code and reason, then the connection closes. */
    interface Closer {
        void close(int code, String reason);
    }

    private final Channel channel;
    private final Closer closer;
    private final long videoId;
    private final Runnable drainTask = this::drain;
    private final long bufferLimit;
    private final long sendTimeLimitNanos;
    private final int maxSkips;

    // guarded by this
    private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
    private long queuedBytes;
    private boolean draining;
    private long floor;
    private long gapFrom;
    private long gapTo;
    private boolean gapQueued;
    private int skips;
    private boolean holding;
    private List<Outbound> held;
    private long heldBytes;
    private long heldGapFrom;
    private long heldGapTo;

    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long stalledSince; // when the channel stopped taking writes; 0 while it takes them
    private volatile long lastHeardAt = System.nanoTime();
    // the event loop's only: the client message arriving in parts, and the client's message rate
    private int receivedBytes;
    private long rateWindowStartedAt = System.nanoTime();
    private int messagesInWindow;

    Viewer(Channel channel, Closer closer, long videoId, long bufferLimit, long sendTimeLimitNanos, int maxSkips) {
        this.channel = channel;
        this.closer = closer;
        this.videoId = videoId;
        this.bufferLimit = bufferLimit;
        this.sendTimeLimitNanos = sendTimeLimitNanos;
        this.maxSkips = maxSkips;
    }

    long videoId() {
        return videoId;
    }

    String id() {
        return channel.id().asShortText();
    }

    void heard() {
        lastHeardAt = System.nanoTime();
    }

    /** One part of a client message; false once the message is over {@code limit} bytes. */
    boolean received(int bytes, boolean last, int limit) {
        receivedBytes += bytes;
        boolean within = receivedBytes <= limit;
        if (last || !within) {
            receivedBytes = 0;
        }
        return within;
    }

    /** One whole client message; false once there were more than {@code limit} in the last second. */
    boolean withinRate(int limit) {
        long now = System.nanoTime();
        if (now - rateWindowStartedAt > 1_000_000_000L) {
            rateWindowStartedAt = now;
            messagesInWindow = 0;
        }
        return ++messagesInWindow <= limit;
    }

    long silentForNanos(long now) {
        return now - lastHeardAt;
    }

    boolean isClosing() {
        return closing.get();
    }

    /** Only frames above this seq will be sent (a viewer joining live starts at the room's last seq). */
    synchronized void startAfter(long seq) {
        floor = Math.max(floor, seq);
    }

    /** From now on live frames wait until {@link #release}: a resume is fetching what came before them. */
    synchronized void hold() {
        holding = true;
        held = new ArrayList<>();
    }

    /** A live frame (or a control frame): never blocks. */
    synchronized void send(Outbound frame) {
        if (closing.get()) {
            return;
        }
        if (holding && frame.isDanmaku()) {
            if (heldBytes + frame.bytes() > bufferLimit) {
                // The catch-up is taking too long for this room's pace: what waited is reported as a gap.
                for (Outbound waiting : held) {
                    heldGapFrom = heldGapFrom == 0 ? waiting.firstSeq() : heldGapFrom;
                    heldGapTo = waiting.lastSeq();
                }
                held.clear();
                heldBytes = 0;
                heldGapFrom = heldGapFrom == 0 ? frame.firstSeq() : heldGapFrom;
                heldGapTo = frame.lastSeq();
                return;
            }
            held.add(frame);
            heldBytes += frame.bytes();
            return;
        }
        enqueue(frame);
    }

    /**
     * One frame of a resume's catch-up, before the held live frames. Unlike live frames this waits while
     * the queue is half full, so a long catch-up goes out at the client's pace instead of overflowing it;
     * false if the viewer is gone or did not make room within the send time limit (it is then closed).
     */
    synchronized boolean catchUp(Outbound frame) throws InterruptedException {
        long deadline = System.nanoTime() + sendTimeLimitNanos;
        while (!closing.get() && queuedBytes > bufferLimit / 2) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                close(TRY_AGAIN_LATER, "too slow");
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (closing.get()) {
            return false;
        }
        enqueue(frame);
        return true;
    }

    /** A part of the history that could not be fetched: the client is told rather than silently skipped. */
    synchronized void catchUpGap(long fromSeq, long toSeq) {
        floor = Math.max(floor, toSeq);
        enqueue(Frames.gap(fromSeq, toSeq));
    }

    /** The catch-up is out: the live frames that waited follow, minus what the catch-up already had. */
    synchronized void release() {
        if (!holding) {
            return;
        }
        holding = false;
        if (heldGapFrom != 0 && heldGapTo > floor) {
            long from = Math.max(heldGapFrom, floor + 1);
            floor = heldGapTo;
            enqueue(Frames.gap(from, heldGapTo));
        }
        for (Outbound frame : held) {
            enqueue(frame);
        }
        held = null;
        heldBytes = 0;
    }

    /** Guarded by this. */
    private void enqueue(Outbound frame) {
        if (closing.get()) {
            return;
        }
        if (frame.isDanmaku()) {
            frame = aboveFloor(frame);
            if (frame == null) {
                return;
            }
        }
        long stalled = stalledSince;
        if (stalled != 0 && System.nanoTime() - stalled > sendTimeLimitNanos) {
            close(TRY_AGAIN_LATER, "too slow");
            return;
        }
        // A frame bigger than the bound still goes to a client that has nothing waiting.
        if (queuedBytes > 0 && queuedBytes + frame.bytes() > bufferLimit) {
            if (!skipAhead(frame)) {
                return;
            }
            if (frame.isDanmaku()) {
                return; // reported in the gap
            }
            if (queuedBytes + frame.bytes() > 2 * bufferLimit) {
                close(TRY_AGAIN_LATER, "too slow");
                return;
            }
        }
        queue.add(frame);
        queuedBytes += frame.bytes();
        startDrain();
    }

    private Outbound aboveFloor(Outbound frame) {
        if (frame.lastSeq() <= floor) {
            return null;
        }
        if (frame.firstSeq() > floor) {
            floor = frame.lastSeq();
            return frame;
        }
        long below = floor;
        floor = frame.lastSeq();
        return Frames.danmaku(
                frame.items().stream().filter(item -> item.seq() > below).toList());
    }

    /** Drops the waiting danmaku frames (and {@code incoming}, if danmaku) into the pending gap. */
    private boolean skipAhead(Outbound incoming) {
        if (++skips > maxSkips) {
            close(TRY_AGAIN_LATER, "too slow");
            return false;
        }
        queue.removeIf(waiting -> {
            if (waiting instanceof Outbound frame && frame.isDanmaku()) {
                widenGap(frame);
                queuedBytes -= frame.bytes();
                return true;
            }
            return false;
        });
        if (incoming.isDanmaku()) {
            widenGap(incoming);
        }
        if (gapFrom != 0 && !gapQueued) {
            gapQueued = true;
            queue.add(GAP);
            startDrain();
        }
        log.debug("viewer {} of video {} skipped ahead to {}", id(), videoId, gapTo);
        return true;
    }

    private void widenGap(Outbound frame) {
        if (gapFrom == 0 || frame.firstSeq() < gapFrom) {
            gapFrom = frame.firstSeq();
        }
        gapTo = Math.max(gapTo, frame.lastSeq());
    }

    private void startDrain() {
        if (!draining) {
            draining = true;
            channel.eventLoop().execute(drainTask);
        }
    }

    /**
     * On the channel's event loop: hands Netty what is queued while the channel is writable, then flushes
     * once. A channel that is not writable keeps {@code draining} set, so nothing else starts a drain, and
     * {@link #writable} resumes it.
     */
    private void drain() {
        boolean wrote = false;
        try {
            while (true) {
                ByteBuf wire;
                synchronized (this) {
                    if (closing.get() || !channel.isActive()) {
                        queue.clear();
                        queuedBytes = 0;
                        draining = false;
                        notifyAll();
                        return;
                    }
                    if (!channel.isWritable()) {
                        if (stalledSince == 0) {
                            stalledSince = System.nanoTime() | 1; // never 0, which means not stalled
                        }
                        return;
                    }
                    Object next = queue.poll();
                    if (next == null) {
                        draining = false;
                        skips = 0; // it kept up after all
                        notifyAll();
                        return;
                    }
                    if (next == GAP) {
                        wire = Frames.gap(gapFrom, gapTo).wire();
                        gapFrom = 0;
                        gapTo = 0;
                        gapQueued = false;
                    } else {
                        Outbound frame = (Outbound) next;
                        wire = frame.wire();
                        queuedBytes -= frame.bytes();
                        notifyAll(); // a catch-up may be waiting for room
                    }
                }
                channel.write(wire.duplicate(), channel.voidPromise());
                wrote = true;
            }
        } finally {
            if (wrote) {
                channel.flush();
            }
        }
    }

    /** Netty reports the channel writable again (on its event loop): what waited goes out. */
    void writable() {
        stalledSince = 0;
        boolean resume;
        synchronized (this) {
            resume = draining;
        }
        if (resume) {
            drain();
        }
    }

    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            closer.close(code, reason);
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
