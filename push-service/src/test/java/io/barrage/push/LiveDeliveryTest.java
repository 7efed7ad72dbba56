package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Live delivery over two shards: viewers land on the owning shard and each shard reads only its videos,
 * a client that stops reading never delays a fast one, and deleted or voided danmaku leave screens and are
 * skipped on resume.
 */
class LiveDeliveryTest extends LiveShardsTestBase {

    @Test
    void viewersLandOnTheOwningShardEachShardReadsOnlyItsVideosAndCountsAreExact() throws Exception {
        long a = videoOwnedBy(0, 20_000);
        long b = videoOwnedBy(1, 20_000);

        assertThatThrownBy(() -> connect(1, a, null))
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(421));

        Client a1 = connect(0, a, null);
        Client a2 = connect(0, a, null);
        Client b1 = connect(1, b, null);
        await(() -> a2.sawOnline(2) && b1.sawOnline(1));
        assertThat(online(0, a)).isEqualTo(2);
        assertThat(online(1, b)).isEqualTo(1);

        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            send(producer, a, created(a, 1, "for a"));
            send(producer, b, created(b, 1, "for b"));
        }
        await(() -> a1.seqs().size() == 1 && a2.seqs().size() == 1 && b1.seqs().size() == 1);
        assertThat(a1.items().getFirst().get("text").asString()).isEqualTo("for a");
        assertThat(b1.items().getFirst().get("text").asString()).isEqualTo("for b");
        // Each shard's feed saw only its own video.
        assertThat(rooms(0).lastSeq(a)).isEqualTo(1);
        assertThat(rooms(1).lastSeq(a)).isZero();
        assertThat(rooms(1).lastSeq(b)).isEqualTo(1);
        assertThat(rooms(0).lastSeq(b)).isZero();

        Client a3 = connect(0, a, null);
        await(() -> a3.sawOnline(3));
        assertThat(online(0, a)).isEqualTo(3);
        a2.close();
        await(() -> online(0, a) == 2);
        // The periodic count (every 5 s) tells the others exactly.
        await(() -> a1.lastOnline() == 2 && a3.lastOnline() == 2);
        assertThat(a3.seqs()).as("joined after it: not replayed without since").isEmpty();
    }

    @Test
    void aClientThatStopsReadingIsSkippedAheadWithoutDelayingAFastOne() throws Exception {
        long g = videoOwnedBy(1, 25_000);
        int total = 1000;
        String text = "x".repeat(200);
        Client fast = connect(1, g, null);
        try (RawClient slow = new RawClient(port(1), g)) {
            await(() -> fast.sawOnline(2));
            Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
            try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
                List<Future<?>> acks = new ArrayList<>();
                for (long seq = 1; seq <= total; seq++) {
                    publishedAt.put(seq, System.nanoTime());
                    acks.add(producer.send(
                            new ProducerRecord<>("danmaku.events", Long.toString(g), created(g, seq, text + seq))));
                    if (seq % 20 == 0) {
                        Thread.sleep(50); // about 400 a second, 1/4 MB/s: a busy room, not a flood
                    }
                }
                for (Future<?> ack : acks) {
                    ack.get();
                }
            }
            await(() -> fast.seqs().size() == total);
            assertThat(fast.seqs())
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, total).boxed().toList());
            long worstMillis = 0;
            for (int i = 0; i < total; i++) {
                long seq = fast.seqs().get(i);
                worstMillis = Math.max(worstMillis, (fast.arrivals.get(i) - publishedAt.get(seq)) / 1_000_000);
            }
            // Generous for a loaded machine, and still a quarter of the time a stuck viewer is kept.
            assertThat(worstMillis).as("the fast client's worst delay").isLessThan(15_000);
            assertThat(fast.gaps()).isEmpty();

            // Now the slow one reads what it was left with: it was skipped ahead, or let go.
            RawClient.Result result = slow.readUntilGapOrClose(20_000);
            if (result.gap() == null) {
                // It was let go: with a 1013 close frame, or without one if even that could not be written.
                await(() -> online(1, g) == 1);
            }
            assertThat(result.gap() != null || result.closeCode() == 1013 || result.closeCode() == 1006)
                    .as(
                            "slow client got a gap frame or was closed with 1013: gap %s, close %s, %d items",
                            result.gap(), result.closeCode(), result.seqs().size())
                    .isTrue();
            if (result.gap() != null) {
                assertThat(result.gap().get("fromSeq").asLong()).isPositive();
                assertThat(result.gap().get("toSeq").asLong())
                        .isGreaterThanOrEqualTo(result.gap().get("fromSeq").asLong());
            }
            assertThat(result.seqs()).isSorted().doesNotHaveDuplicates();
        }
    }

    // --- helpers

    @Test
    void deletedAndVoidedDanmakuAreRemovedFromScreensAndSkippedOnResume() throws Exception {
        long c = videoOwnedBy(0, 21_000);
        Client viewer = connect(0, c, null);
        await(() -> viewer.sawOnline(1));
        String first = id(c, 1);
        String voided = "9" + id(c, 3);
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            send(producer, c, created(c, 1, "one"));
            send(producer, c, created(c, 2, "two"));
            // On screen first (a deletion within the same batch window would just keep it out of the frame).
            await(() -> viewer.seqs().size() == 2);
            send(producer, c, deleted(c, first, 1)); // its sender deleted it
            send(producer, c, deleted(c, voided, 3)); // the sequencer voided seq 3
            send(producer, c, created(c, 4, "four"));
        }
        await(() -> viewer.seqs().size() == 3 && viewer.deletedIds().size() == 2);
        assertThat(viewer.seqs()).containsExactly(1L, 2L, 4L);
        assertThat(viewer.deletedIds()).containsExactly(first, voided);
        JsonNode deletedFrame = viewer.frames.stream()
                .filter(f -> f.get("type").asString().equals("deleted"))
                .findFirst()
                .orElseThrow();
        assertThat(deletedFrame.get("ids").get(0).isString()).isTrue();
        assertThat(viewer.gaps()).as("a voided seq is no gap").isEmpty();
        assertThat(rooms(0).lastSeq(c)).isEqualTo(4);

        // Resuming from the ring: the deleted and the voided ones are not replayed...
        Client fresh = connect(0, c, 0L);
        await(() -> fresh.seqs().size() == 2);
        assertThat(fresh.seqs()).containsExactly(2L, 4L);
        // ...and a viewer that had the first one is told to remove it.
        Client hadFirst = connect(0, c, 1L);
        await(() -> hadFirst.seqs().size() == 2 && hadFirst.deletedIds().contains(first));
        assertThat(hadFirst.seqs()).containsExactly(2L, 4L);
        assertThat(fresh.gaps()).isEmpty();
        assertThat(historyCalls).doesNotContainKey(c);
    }
}
