package io.barrage.danmaku.ingest;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The single writer of a video's seqs, across every danmaku-service instance.
 *
 * <p>The holder of the video's {@link SeqLedger} lock reads the last published seq, durably records the
 * attempt it is about to make, publishes the events and waits for the broker's acks, and only then records
 * the seqs as published. Because a video's next events are sent only after the previous ones were
 * acknowledged, the partition holds them in seq order, which is the order push-service delivers them in.
 *
 * <p>Within one instance, requests for the same video go through a {@link GroupCommitQueue}: one lock, two
 * small writes and one round of acks for up to {@value #MAX_BATCH} danmaku, so a busy video costs a few
 * database round trips per batch, not per danmaku. The batch's rate limits are checked the same way, in
 * one {@link AbuseGuard#admitAll} call before the lock is taken; a refused request leaves with its 429 and
 * takes no seq.
 *
 * <p>A holder that finds a pending attempt does not know whether it reached the broker, so it publishes
 * {@link DanmakuDeleted} tombstones for it first: its seqs are then accounted for either way (Created then
 * Deleted, or Deleted alone), never reused, never silently skipped, and a danmaku whose client was not told
 * 201 never survives in history.
 */
@Component
class Sequencer {

    static final int MAX_BATCH = 200;
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    /** One request: who sends it (for the rate limits) and how to make its danmaku from its seq. */
    private record Request(long senderId, LongFunction<Danmaku> build) {}

    private final SeqLedger ledger;
    private final DanmakuEvents events;
    private final AbuseGuard abuseGuard;
    private final GroupCommitQueue<Long, Request, Danmaku> queue;

    Sequencer(SeqLedger ledger, DanmakuEvents events, AbuseGuard abuseGuard, SequencerProperties properties) {
        this.ledger = ledger;
        this.events = events;
        this.abuseGuard = abuseGuard;
        // Queued behind others: their lock wait, their acks (the producer's delivery timeout), and our own.
        this.queue = new GroupCommitQueue<>(
                MAX_BATCH,
                properties.lockWait().multipliedBy(2).plusSeconds(10),
                this::commit,
                videoId -> SeqLedger.unavailable(videoId, null));
    }

    /**
     * Takes {@code senderId}'s and the video's rate-limit tokens (else 429), gives the next seq to {@code
     * build}, publishes the result and returns it once acknowledged.
     */
    Danmaku publishNext(long videoId, long senderId, LongFunction<Danmaku> build) {
        return queue.submit(videoId, new Request(senderId, build));
    }

    private void commit(long videoId, List<GroupCommitQueue.Entry<Request, Danmaku>> batch) {
        List<GroupCommitQueue.Entry<Request, Danmaku>> admitted = admitted(videoId, batch);
        if (admitted.isEmpty()) {
            return;
        }
        List<Danmaku> published = ledger.underLock(videoId, seqs -> publish(seqs, videoId, admitted));
        for (int i = 0; i < admitted.size(); i++) {
            admitted.get(i).complete(published.get(i));
        }
    }

    /** The entries that got their rate-limit tokens; the others are failed with their 429. */
    private List<GroupCommitQueue.Entry<Request, Danmaku>> admitted(
            long videoId, List<GroupCommitQueue.Entry<Request, Danmaku>> batch) {
        long[] senders = new long[batch.size()];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = batch.get(i).item().senderId();
        }
        List<AbuseGuard.TooManyRequests> verdicts = abuseGuard.admitAll(videoId, senders);
        List<GroupCommitQueue.Entry<Request, Danmaku>> admitted = new ArrayList<>(batch.size());
        for (int i = 0; i < senders.length; i++) {
            if (verdicts.get(i) == null) {
                admitted.add(batch.get(i));
            } else {
                batch.get(i).fail(verdicts.get(i));
            }
        }
        return admitted;
    }

    private List<Danmaku> publish(
            SeqLedger.Held seqs, long videoId, List<GroupCommitQueue.Entry<Request, Danmaku>> batch)
            throws SQLException {
        SeqLedger.Attempt pending = seqs.pending();
        if (pending != null) {
            voidAttempt(seqs, videoId, pending);
        }
        long first = seqs.lastSeq() + 1;
        List<Danmaku> danmaku = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            danmaku.add(batch.get(i).item().build().apply(first + i));
        }
        seqs.begin(first, danmaku.stream().map(Danmaku::id).toList());
        // A failure here leaves the attempt pending; the next holder voids it.
        events.publishAll(danmaku.stream()
                .map(d -> new DanmakuEvents.Keyed(videoId, DanmakuCreated.of(d)))
                .toList());
        // If this update fails the clients get a 503 and the next holder voids their danmaku, which is
        // consistent with what they were told.
        seqs.settled(first + batch.size() - 1);
        return danmaku;
    }

    /** An earlier attempt's fate is unknown: its seqs become tombstones before anything else gets a seq. */
    private void voidAttempt(SeqLedger.Held seqs, long videoId, SeqLedger.Attempt pending) throws SQLException {
        List<DanmakuEvents.Keyed> tombstones = new ArrayList<>();
        long seq = pending.firstSeq();
        for (long id : pending.ids()) {
            tombstones.add(new DanmakuEvents.Keyed(videoId, DanmakuDeleted.of(id, videoId, seq++)));
        }
        events.publishAll(tombstones);
        long last = seq - 1;
        seqs.settled(last);
        log.info("voided seqs {}..{} of video {}", pending.firstSeq(), last, videoId);
    }
}
