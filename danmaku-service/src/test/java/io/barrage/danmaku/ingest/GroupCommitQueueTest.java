package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group-commit queue on its own: batches, their order, failures and timeouts, without a database. */
class GroupCommitQueueTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch firstBatchMayEnd = new CountDownLatch(1);

    @AfterEach
    void stop() {
        firstBatchMayEnd.countDown();
        pool.shutdownNow();
    }

    /** Records each batch; the first one holds its key until the test lets it go. */
    private GroupCommitQueue<String, String, String> queue(int maxBatch, Duration maxWait) {
        return new GroupCommitQueue<>(
                maxBatch,
                maxWait,
                (key, batch) -> {
                    List<String> items =
                            batch.stream().map(GroupCommitQueue.Entry::item).toList();
                    batches.add(items);
                    if (batches.size() == 1) {
                        await(firstBatchMayEnd);
                    }
                    for (GroupCommitQueue.Entry<String, String> entry : batch) {
                        if (entry.item().startsWith("refused")) {
                            entry.fail(new IllegalArgumentException(entry.item()));
                        } else if (entry.item().startsWith("boom")) {
                            throw new IllegalStateException("commit failed");
                        } else {
                            entry.complete(key + ":" + entry.item());
                        }
                    }
                },
                key -> new IllegalStateException("timed out on " + key));
    }

    @Test
    void callersQueuedBehindACommitAreCommittedTogetherInArrivalOrder() throws Exception {
        var queue = queue(10, Duration.ofMinutes(1));
        Future<String> a = submitted(queue, "v", "a");
        awaitBatches(1);
        List<Future<String>> rest = new ArrayList<>();
        for (String item : List.of("b", "c", "d")) {
            rest.add(queuedBehind(queue, "v", item));
        }
        firstBatchMayEnd.countDown();

        assertThat(a.get(1, TimeUnit.MINUTES)).isEqualTo("v:a");
        assertThat(rest.get(0).get(1, TimeUnit.MINUTES)).isEqualTo("v:b");
        assertThat(rest.get(2).get(1, TimeUnit.MINUTES)).isEqualTo("v:d");
        assertThat(batches).containsExactly(List.of("a"), List.of("b", "c", "d"));
    }

    @Test
    void aBatchNeverTakesMoreThanMaxBatch() throws Exception {
        var queue = queue(2, Duration.ofMinutes(1));
        submitted(queue, "v", "1");
        awaitBatches(1);
        List<Future<String>> rest = new ArrayList<>();
        for (String item : List.of("2", "3", "4", "5")) {
            rest.add(queuedBehind(queue, "v", item));
        }
        firstBatchMayEnd.countDown();
        for (Future<String> f : rest) {
            f.get(1, TimeUnit.MINUTES);
        }

        assertThat(batches).containsExactly(List.of("1"), List.of("2", "3"), List.of("4", "5"));
    }

    @Test
    void aFailedCommitFailsTheEntriesItHadNotSettledAndTheNextBatchStillRuns() throws Exception {
        var queue = queue(10, Duration.ofMinutes(1));
        Future<String> first = submitted(queue, "v", "first");
        awaitBatches(1);
        Future<String> refused = queuedBehind(queue, "v", "refused-1");
        Future<String> boom = queuedBehind(queue, "v", "boom");
        Future<String> after = queuedBehind(queue, "v", "after");
        firstBatchMayEnd.countDown();

        assertThat(first.get(1, TimeUnit.MINUTES)).isEqualTo("v:first");
        // settled before the committer threw: keeps its own outcome
        assertThatThrownBy(() -> refused.get(1, TimeUnit.MINUTES)).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> boom.get(1, TimeUnit.MINUTES)).hasRootCauseMessage("commit failed");
        assertThatThrownBy(() -> after.get(1, TimeUnit.MINUTES)).hasRootCauseMessage("commit failed");
        assertThat(submitted(queue, "v", "later").get(1, TimeUnit.MINUTES)).isEqualTo("v:later");
    }

    @Test
    void aCallerStillQueuedAfterMaxWaitLeavesWithTheTimeoutAndIsNeverCommitted() throws Exception {
        var queue = queue(10, Duration.ofMillis(50));
        Future<String> first = submitted(queue, "v", "first");
        awaitBatches(1);
        Future<String> late = submitted(queue, "v", "late");

        assertThatThrownBy(() -> late.get(1, TimeUnit.MINUTES)).hasRootCauseMessage("timed out on v");
        firstBatchMayEnd.countDown();
        assertThat(first.get(1, TimeUnit.MINUTES)).isEqualTo("v:first");
        assertThat(submitted(queue, "v", "next").get(1, TimeUnit.MINUTES)).isEqualTo("v:next");
        assertThat(batches).containsExactly(List.of("first"), List.of("next"));
    }

    @Test
    void anotherKeyIsCommittedWhileOneKeyIsBusy() throws Exception {
        var queue = queue(10, Duration.ofMinutes(1));
        Future<String> held = submitted(queue, "v1", "a");
        awaitBatches(1);

        assertThat(submitted(queue, "v2", "b").get(1, TimeUnit.MINUTES)).isEqualTo("v2:b");
        assertThat(held).isNotDone();
        firstBatchMayEnd.countDown();
        assertThat(held.get(1, TimeUnit.MINUTES)).isEqualTo("v1:a");
    }

    private Future<String> submitted(GroupCommitQueue<String, String, String> queue, String key, String item) {
        return pool.submit(() -> queue.submit(key, item));
    }

    /** Submits from a new thread and returns once that thread waits in the queue, so arrival order is known. */
    private Future<String> queuedBehind(GroupCommitQueue<String, String, String> queue, String key, String item)
            throws InterruptedException {
        Thread[] caller = new Thread[1];
        CountDownLatch started = new CountDownLatch(1);
        Future<String> future = pool.submit(() -> {
            caller[0] = Thread.currentThread();
            started.countDown();
            return queue.submit(key, item);
        });
        started.await();
        while (caller[0].getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        return future;
    }

    private void awaitBatches(int n) {
        while (batches.size() < n) {
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
