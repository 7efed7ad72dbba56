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

    @Test
    void aClientThatFallsBehindIsSkippedAheadWithAGapFrameAndNeverGetsASeqTwice() throws Exception {
        blockWrites = true;
        Viewer viewer =
                new Viewer(session(), 1, writers, 600, Duration.ofSeconds(30).toNanos(), 100);
        for (long seq = 1; seq <= 10; seq++) {
            viewer.send(Frames.danmaku(List.of(item(seq))));
        }
        viewer.send(Frames.danmaku(List.of(item(5)))); // already given: dropped by the seq floor
        blockWrites = false;
        unblock.countDown();
        awaitCondition(() -> written.stream().anyMatch(w -> w.contains("\"gap\"")));
        viewer.send(Frames.danmaku(List.of(item(11))));
        awaitCondition(() -> written.getLast().contains("\"seq\":11"));

        assertThat(closed.get()).isNull();
        // What waited in the queue when it overflowed was replaced by one gap frame.
        String gap =
                written.stream().filter(w -> w.contains("\"gap\"")).findFirst().orElseThrow();
        assertThat(gap).startsWith("{\"type\":\"gap\",\"fromSeq\":");
        long from = Long.parseLong(gap.replaceAll(".*\"fromSeq\":(\\d+).*", "$1"));
        long to = Long.parseLong(gap.replaceAll(".*\"toSeq\":(\\d+).*", "$1"));
        List<Long> delivered = written.stream()
                .filter(w -> w.contains("\"danmaku\""))
                .map(w -> Long.parseLong(w.replaceAll(".*\"seq\":(\\d+).*", "$1")))
                .toList();
        assertThat(delivered).isSorted().doesNotHaveDuplicates().contains(11L);
        for (long seq = 1; seq <= 11; seq++) {
            assertThat(delivered.contains(seq) ^ (seq >= from && seq <= to))
                    .as("seq %d is either delivered or inside the gap %d..%d", seq, from, to)
                    .isTrue();
        }
    }

    private static Item item(long seq) {
        return new Item(
                seq,
                Long.toString(seq),
                "{\"id\":\"" + seq + "\",\"seq\":" + seq + ",\"text\":\"" + "x".repeat(100) + "\"}",
                0);
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
