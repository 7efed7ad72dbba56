package io.barrage.push.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/** The send queue's logic, against a hand-made session whose writes we can hold up. */
class ViewerTest {

    private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> written = new CopyOnWriteArrayList<>();
    private final AtomicReference<CloseStatus> closed = new AtomicReference<>();
    private final CountDownLatch unblock = new CountDownLatch(1);
    private volatile boolean blockWrites;

    @AfterEach
    void release() {
        unblock.countDown();
        writers.shutdownNow();
    }

    @Test
    void framesLeaveInTheOrderTheyWereOffered() throws Exception {
        Viewer viewer =
                new Viewer(session(), 1, writers, 1 << 20, Duration.ofSeconds(5).toNanos(), 3);
        for (int i = 0; i < 500; i++) {
            viewer.send(new TextMessage("frame " + i));
        }
        awaitCondition(() -> written.size() == 500);
        for (int i = 0; i < 500; i++) {
            assertThat(written.get(i)).isEqualTo("frame " + i);
        }
        assertThat(closed.get()).isNull();
    }

    @Test
    void aStuckClientNeverBlocksTheSenderAndIsDisconnectedPastItsBuffer() throws Exception {
        blockWrites = true;
        Viewer viewer =
                new Viewer(session(), 1, writers, 1000, Duration.ofSeconds(5).toNanos(), 3);
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            viewer.send(new TextMessage("x".repeat(100)));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        awaitCondition(() -> closed.get() != null);
        assertThat(closed.get().getCode()).isEqualTo(CloseStatus.SERVICE_OVERLOAD.getCode());
    }

    private WebSocketSession session() {
        return (WebSocketSession) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {WebSocketSession.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "sendMessage" -> {
                            if (blockWrites) {
                                unblock.await();
                            }
                            written.add(
                                    ((WebSocketMessage<?>) args[0]).getPayload().toString());
                        }
                        case "close" -> closed.set(args == null ? CloseStatus.NORMAL : (CloseStatus) args[0]);
                        case "getId" -> {
                            return "test";
                        }
                        case "isOpen" -> {
                            return closed.get() == null;
                        }
                        default -> {}
                    }
                    return null;
                });
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
