package io.barrage.push.room;

import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * One connection and its outbound queue. {@link #send} never blocks: it enqueues and, if nobody is
 * writing, starts a drain on a virtual thread, so frames leave in the order they were offered and a slow
 * client only ever holds up itself. A client that lets more than the buffer limit pile up, or whose
 * current write has been stuck past the time limit, is disconnected (1013, try again later); issue 7 turns
 * that into skipping it ahead with a gap frame.
 *
 * <p>We do not use Spring's {@code ConcurrentWebSocketSessionDecorator}: whichever caller wins its lock
 * performs the blocking write itself, which would stall the room's flusher behind one slow socket.
 */
final class Viewer {

    private static final Logger log = LoggerFactory.getLogger(Viewer.class);

    private final WebSocketSession session;
    private final long videoId;
    private final Executor writer;
    private final long bufferLimit;
    private final long sendTimeLimitNanos;

    private final Queue<WebSocketMessage<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile long writeStartedAt;
    private volatile long lastHeardAt = System.nanoTime();

    Viewer(WebSocketSession session, long videoId, Executor writer, long bufferLimit, long sendTimeLimitNanos) {
        this.session = session;
        this.videoId = videoId;
        this.writer = writer;
        this.bufferLimit = bufferLimit;
        this.sendTimeLimitNanos = sendTimeLimitNanos;
    }

    long videoId() {
        return videoId;
    }

    void heard() {
        lastHeardAt = System.nanoTime();
    }

    long silentForNanos(long now) {
        return now - lastHeardAt;
    }

    void send(WebSocketMessage<?> message) {
        if (closing.get()) {
            return;
        }
        long started = writeStartedAt;
        if (started != 0 && System.nanoTime() - started > sendTimeLimitNanos) {
            close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
            return;
        }
        if (queuedBytes.addAndGet(message.getPayloadLength()) > bufferLimit) {
            close(CloseStatus.SERVICE_OVERLOAD.withReason("too slow"));
            return;
        }
        queue.add(message);
        if (draining.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
    }

    private void drain() {
        do {
            WebSocketMessage<?> message;
            while ((message = queue.poll()) != null) {
                if (closing.get()) {
                    queue.clear();
                    break;
                }
                try {
                    writeStartedAt = System.nanoTime() | 1; // never 0, which means idle
                    session.sendMessage(message);
                } catch (IOException | RuntimeException e) {
                    log.debug("write to session {} failed: {}", session.getId(), e.toString());
                    close(CloseStatus.SERVER_ERROR);
                } finally {
                    writeStartedAt = 0;
                    queuedBytes.addAndGet(-message.getPayloadLength());
                }
            }
            draining.set(false);
            // Something may have been queued after the poll returned null but before the flag was cleared.
        } while (!queue.isEmpty() && draining.compareAndSet(false, true));
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
        }
    }
}
