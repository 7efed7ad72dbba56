package io.barrage.push.room;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One connection and its bounded outbound queue.
 *
 * <p>{@link #send} never blocks: it enqueues and, if nobody is writing, starts a drain on a virtual thread,
 * so frames leave in the order they were offered and a slow client only ever holds up itself. The drain
 * writes with the container's blocking send, which returns only once the socket took the frame: that is
 * the WebSocket stack's backpressure, and what piles up meanwhile is bounded here by bytes. Text frames go
 * out as the bytes they were encoded to once for the whole room ({@link EncodedText}).
 *
 * <p>A client that lets more than the byte bound pile up is skipped ahead: the danmaku frames still waiting
 * are dropped and replaced by one {@code gap} frame with their seq range (control frames stay). A client
 * skipped {@code maxSkips} times without its queue ever emptying in between, or whose current write has
 * been stuck past the time limit, is disconnected with 1013 (try again later; it may resume with
 * {@code since}).
 *
 * <p>Every danmaku frame passes a seq floor, the highest seq this viewer has been given: whatever is not
 * above it is dropped, which is what makes a resume's seam between catch-up and live exactly-once. While
 * a resume is catching up ({@link #hold}), live frames wait in a second bounded list and follow the
 * catch-up.
 *
 * <p>We do not use Spring's {@code ConcurrentWebSocketSessionDecorator}: whichever caller wins its lock
 * performs the blocking write itself, which would stall the room's flusher behind one slow socket.
 */
final class Viewer {

    private static final Logger log = LoggerFactory.getLogger(Viewer.class);
    /** Stands in the queue for the pending gap frame, which is built when it is written. */
    private static final Object GAP = new Object();

    private final WebSocketSession session;
    private final EncodedText encoded; // null: through the session
    private final long videoId;
    private final Executor writer;
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
    private volatile long writeStartedAt;
    private volatile long lastHeardAt = System.nanoTime();
    private int receivedBytes; // of the client message arriving in parts; the container's thread only

    Viewer(
            WebSocketSession session,
            long videoId,
            Executor writer,
            long bufferLimit,
            long sendTimeLimitNanos,
            int maxSkips) {
        this.session = session;
        this.encoded = EncodedText.of(session);
        this.videoId = videoId;
        this.writer = writer;
        this.bufferLimit = bufferLimit;
        this.sendTimeLimitNanos = sendTimeLimitNanos;
        this.maxSkips = maxSkips;
    }

    long videoId() {
        return videoId;
    }

    String id() {
        return session.getId();
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

    void send(WebSocketMessage<?> message) {
        send(Outbound.control(message));
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
                close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
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
        enqueue(Outbound.control(Frames.gap(fromSeq, toSeq)));
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
            enqueue(Outbound.control(Frames.gap(from, heldGapTo)));
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
        long started = writeStartedAt;
        if (started != 0 && System.nanoTime() - started > sendTimeLimitNanos) {
            close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
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
                close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
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
            close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
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
        log.debug("viewer {} of video {} skipped ahead to {}", session.getId(), videoId, gapTo);
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
            writer.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            WebSocketMessage<?> message;
            int bytes;
            synchronized (this) {
                Object next = queue.poll();
                if (next == null || closing.get()) {
                    queue.clear();
                    queuedBytes = 0;
                    draining = false;
                    skips = 0; // it kept up after all
                    notifyAll();
                    return;
                }
                if (next == GAP) {
                    message = Frames.gap(gapFrom, gapTo);
                    bytes = 0;
                    gapFrom = 0;
                    gapTo = 0;
                    gapQueued = false;
                } else {
                    Outbound frame = (Outbound) next;
                    message = frame.message();
                    bytes = frame.bytes();
                }
            }
            try {
                writeStartedAt = System.nanoTime() | 1; // never 0, which means idle
                if (encoded != null && message instanceof TextMessage text) {
                    encoded.send(text.asBytes());
                } else {
                    session.sendMessage(message);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("write to session {} failed: {}", session.getId(), e.toString());
                close(CloseStatus.SERVER_ERROR);
            } finally {
                writeStartedAt = 0;
                synchronized (this) {
                    queuedBytes -= bytes;
                    notifyAll();
                }
            }
        }
    }

    void close(CloseStatus status) {
        if (closing.compareAndSet(false, true)) {
            // Closing writes a frame too, which can block on the same slow socket: not on the caller's thread.
            writer.execute(() -> {
                try {
                    session.close(status);
                } catch (IOException | RuntimeException e) {
                    log.debug("closing session {} failed: {}", session.getId(), e.toString());
                }
            });
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
