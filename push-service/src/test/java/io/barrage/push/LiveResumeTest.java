package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resume over two shards: after a shard's restart, from the ring, from history (waiting for it to catch up,
 * a page at a time, within the catch-up bound), and when history is unavailable.
 */
class LiveResumeTest extends LiveShardsTestBase {

    @Test
    void whenAShardDiesItsViewersResumeOnItsRestartAndGetEveryDanmakuOnceInOrder() throws Exception {
        long d = videoOwnedBy(0, 22_000);
        int total = 150;
        long voidedSeq = 100;
        Client before = connect(0, d, null);
        await(() -> before.sawOnline(1));

        Thread publisher = Thread.ofVirtual().start(() -> {
            try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
                for (long seq = 1; seq <= total; seq++) {
                    send(
                            producer,
                            d,
                            seq == voidedSeq ? deleted(d, "9" + id(d, seq), seq) : created(d, seq, "stream " + seq));
                    Thread.sleep(40);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(() -> before.seqs().size() >= 30);
        shards[0].close(); // the shard dies mid-stream; the publisher goes on
        await(() -> before.closeCode != null);
        long lastSeen = before.seqs().getLast();
        assertThat(lastSeen).isLessThan(total);

        shards[0] = startShard(0);
        Client after = connect(0, d, lastSeen);
        publisher.join(TimeUnit.SECONDS.toMillis(60));
        await(() -> !after.seqs().isEmpty() && after.seqs().getLast() == total);

        List<Long> all = new ArrayList<>(before.seqs());
        all.addAll(after.seqs());
        assertThat(all)
                .as("every danmaku exactly once, in seq order, across the restart")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total)
                        .filter(seq -> seq != voidedSeq)
                        .boxed()
                        .toList());
        assertThat(after.gaps()).isEmpty();
    }

    @Test
    void aResumeOlderThanTheRingReadsHistoryWaitsForItToCatchUpAndJoinsLiveWithoutASeam() throws Exception {
        long e = videoOwnedBy(1, 23_000);
        List<ObjectNode> history = new ArrayList<>();
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 60; seq++) {
                if (seq == 40) {
                    send(producer, e, deleted(e, "9" + id(e, seq), seq)); // voided: never in history
                    continue;
                }
                String event = created(e, seq, "e" + seq);
                send(producer, e, event);
                if (seq != 30) {
                    ObjectNode item = (ObjectNode) json.readTree(event);
                    item.remove("type");
                    item.remove("version");
                    history.add(item);
                }
            }
            send(producer, e, deleted(e, id(e, 30), 30)); // deleted afterwards: gone from history too
            await(() -> rooms(1).lastSeq(e) == 60);
            stored.put(e, history);
            lagging.put(e, 25L); // the first answer: persisted only up to seq 25

            // The ring holds seqs 41..60; the viewer saw up to 10.
            Client viewer = connect(1, e, 10L);
            for (long seq = 61; seq <= 70; seq++) {
                send(producer, e, created(e, seq, "e" + seq)); // live, while it catches up
            }
            await(() -> !viewer.seqs().isEmpty() && viewer.seqs().getLast() == 70);
            List<Long> expected = LongStream.rangeClosed(11, 70)
                    .filter(seq -> seq != 30 && seq != 40)
                    .boxed()
                    .toList();
            assertThat(viewer.seqs()).containsExactlyElementsOf(expected);
            assertThat(viewer.gaps()).isEmpty();
            assertThat(historyCalls.get(e).get())
                    .as("asked again once history caught up")
                    .isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * A viewer resuming with since=0 on a video this shard has no state for: the shard once read the whole
     * history into memory (here 500 seqs; in the field a video's lifetime).
     */
    @Test
    void aResumeFromTheStartOfALongHistoryGetsAGapThenTheNewestSeqsOnceInOrderAPageAtATime() throws Exception {
        long h = videoOwnedBy(1, 26_000);
        int inHistory = 500;
        List<ObjectNode> history = new ArrayList<>();
        for (long seq = 1; seq <= inHistory; seq++) {
            ObjectNode item = (ObjectNode) json.readTree(created(h, seq, "h" + seq));
            item.remove("type");
            item.remove("version");
            history.add(item);
        }
        stored.put(h, history); // in history only: this shard has seen nothing of the video

        Client viewer = connect(1, h, 0L);
        await(() -> viewer.sawOnline(1));
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = inHistory + 1; seq <= inHistory + 10; seq++) {
                send(producer, h, created(h, seq, "h" + seq)); // live, while it catches up
            }
        }
        await(() -> !viewer.seqs().isEmpty() && viewer.seqs().getLast() == inHistory + 10);

        assertThat(viewer.gaps()).hasSize(1);
        JsonNode gap = viewer.gaps().getFirst();
        assertThat(gap.get("fromSeq").asLong()).isEqualTo(1);
        assertThat(gap.get("toSeq").asLong()).isEqualTo(inHistory - CATCH_UP_LIMIT);
        assertThat(viewer.seqs())
                .as("the newest %d from history, then live, each once, in order", CATCH_UP_LIMIT)
                .containsExactlyElementsOf(LongStream.rangeClosed(inHistory - CATCH_UP_LIMIT + 1, inHistory + 10)
                        .boxed()
                        .toList());
        int firstDanmakuAt = viewer.frames.indexOf(viewer.frames.stream()
                .filter(fr -> fr.get("type").asString().equals("danmaku"))
                .findFirst()
                .orElseThrow());
        assertThat(viewer.frames.indexOf(gap)).as("the gap comes first").isLessThan(firstDanmakuAt);
        // What the shard held at once: one page; what it read: the bound and the first page it asked for.
        assertThat(largestPage.get(h)).isLessThanOrEqualTo(CATCH_UP_PAGE);
        assertThat(itemsServed.get(h).get()).isLessThanOrEqualTo(CATCH_UP_LIMIT + CATCH_UP_PAGE);
    }

    @Test
    void whenHistoryIsUnavailableTheViewerIsToldWhatItMissed() throws Exception {
        long f = videoOwnedBy(1, 24_000);
        failing.add(f);
        try (KafkaProducer<String, String> producer = PushServiceTest.producer()) {
            for (long seq = 1; seq <= 40; seq++) {
                send(producer, f, created(f, seq, "f" + seq));
            }
        }
        await(() -> rooms(1).lastSeq(f) == 40);
        Client viewer = connect(1, f, 5L);
        await(() -> viewer.seqs().size() == 20);
        assertThat(viewer.gaps()).hasSize(1);
        assertThat(viewer.gaps().getFirst().get("fromSeq").asLong()).isEqualTo(6);
        assertThat(viewer.gaps().getFirst().get("toSeq").asLong()).isEqualTo(20);
        assertThat(viewer.seqs())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(21, 40).boxed().toList());
        int gapAt = viewer.frames.indexOf(viewer.gaps().getFirst());
        int firstDanmakuAt = viewer.frames.indexOf(viewer.frames.stream()
                .filter(fr -> fr.get("type").asString().equals("danmaku"))
                .findFirst()
                .orElseThrow());
        assertThat(gapAt).as("the gap comes before what follows it").isLessThan(firstDanmakuAt);
    }
}
