package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The single writer of a video's seqs, across every danmaku-service instance.
 *
 * <p>A MariaDB named lock ({@code GET_LOCK}) per video makes one writer at a time, in the whole cluster,
 * the owner of that video's stream: it reads the last published seq, durably records the attempt it is
 * about to make ({@code pending_seq} and the danmaku ids), publishes the events and waits for the broker's
 * acks, and only then records the seqs as published. Because a video's next events are sent only after the
 * previous ones were acknowledged, the partition holds them in seq order, which is the order push-service
 * delivers them in.
 *
 * <p>Within one instance, requests for the same video queue up behind the current writer, which takes all
 * of them (up to {@value #MAX_BATCH}) as one batch: one lock, two small writes and one round of acks for
 * the lot, like a database's group commit. A busy video therefore costs a few database round trips per
 * batch, not per danmaku. The batch's rate limits are checked the same way, in one {@link
 * AbuseGuard#admitAll} call before the lock is taken; a refused request leaves with its 429 and takes no seq.
 *
 * <p>The lock belongs to the database session, so it is released when its holder dies. A writer that
 * finds a pending attempt does not know whether it reached the broker, so it publishes {@link
 * DanmakuDeleted} tombstones for it first: its seqs are then accounted for either way (Created then
 * Deleted, or Deleted alone), never reused, never silently skipped, and a danmaku whose client was not told
 * 201 never survives in history.
 */
@Component
class Sequencer {

    static final int MAX_BATCH = 200;
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    private final DataSource dataSource;
    private final DanmakuEvents events;
    private final AbuseGuard abuseGuard; // null: no rate limits (another instance in a test)
    private final double lockWaitSeconds;
    private final long waitNanos;
    private final ConcurrentHashMap<Long, Lane> lanes = new ConcurrentHashMap<>();

    @Autowired
    Sequencer(
            DataSource dataSource,
            DanmakuEvents events,
            AbuseGuard abuseGuard,
            @Value("${barrage.danmaku.sequencer.lock-wait:5s}") Duration lockWait) {
        this.dataSource = dataSource;
        this.events = events;
        this.abuseGuard = abuseGuard;
        this.lockWaitSeconds = lockWait.toMillis() / 1000.0;
        // Queued behind others: their lock wait, their acks (the producer's delivery timeout), and our own.
        this.waitNanos = lockWait.multipliedBy(2).plusSeconds(10).toNanos();
    }

    /** Without rate limits. */
    Sequencer(DataSource dataSource, DanmakuEvents events, Duration lockWait) {
        this(dataSource, events, null, lockWait);
    }

    /** One request in a video's queue. */
    private static final class Waiter {
        final long senderId;
        final LongFunction<Danmaku> build;
        Danmaku result;
        RuntimeException failure;
        boolean done;
        boolean lead;

        Waiter(long senderId, LongFunction<Danmaku> build) {
            this.senderId = senderId;
            this.build = build;
        }
    }

    /** The queue of one video in this instance; {@code busy} while one of its waiters is the writer. */
    private static final class Lane {
        final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
        boolean busy;
    }

    /**
     * Takes {@code senderId}'s and the video's rate-limit tokens (else 429), gives the next seq to {@code
     * build}, publishes the result and returns it once acknowledged.
     */
    Danmaku publishNext(long videoId, long senderId, LongFunction<Danmaku> build) {
        Waiter me = new Waiter(senderId, build);
        Lane lane;
        while (true) {
            lane = lanes.computeIfAbsent(videoId, v -> new Lane());
            synchronized (lane) {
                if (lanes.get(videoId) != lane) {
                    continue; // retired while we looked it up
                }
                lane.waiting.add(me);
                if (!lane.busy) {
                    lane.busy = true;
                    me.lead = true;
                }
                break;
            }
        }
        long deadline = System.nanoTime() + waitNanos;
        boolean interrupted = false;
        synchronized (lane) {
            while (!me.lead && !me.done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    if (lane.waiting.remove(me)) { // not taken into a batch: safe to give up
                        throw busy(videoId, null);
                    }
                    left = 1_000_000_000L; // already being published: its outcome is near
                    deadline = System.nanoTime() + left;
                }
                try {
                    lane.wait(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true; // restored below; a queued request still needs its outcome
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (!me.done) {
            lead(videoId, lane);
        }
        if (me.failure != null) {
            throw me.failure;
        }
        return me.result;
    }

    private void lead(long videoId, Lane lane) {
        List<Waiter> taken = new ArrayList<>();
        synchronized (lane) {
            while (!lane.waiting.isEmpty() && taken.size() < MAX_BATCH) {
                taken.add(lane.waiting.poll());
            }
        }
        List<Waiter> batch = taken;
        try {
            batch = admitted(videoId, taken);
            if (!batch.isEmpty()) {
                List<Danmaku> published = publishBatch(videoId, batch);
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).result = published.get(i);
                }
            }
        } catch (RuntimeException e) {
            batch.forEach(w -> w.failure = e);
        } finally {
            synchronized (lane) {
                taken.forEach(w -> w.done = true);
                Waiter next = lane.waiting.peek();
                if (next != null) {
                    next.lead = true;
                } else {
                    lane.busy = false;
                    lanes.remove(videoId, lane);
                }
                lane.notifyAll();
            }
        }
    }

    /** The waiters that got their rate-limit tokens; the others are failed with their 429. */
    private List<Waiter> admitted(long videoId, List<Waiter> taken) {
        if (abuseGuard == null) {
            return taken;
        }
        long[] senders = new long[taken.size()];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = taken.get(i).senderId;
        }
        List<AbuseGuard.TooManyRequests> verdicts = abuseGuard.admitAll(videoId, senders);
        List<Waiter> admitted = new ArrayList<>(taken.size());
        for (int i = 0; i < senders.length; i++) {
            if (verdicts.get(i) == null) {
                admitted.add(taken.get(i));
            } else {
                taken.get(i).failure = verdicts.get(i);
            }
        }
        return admitted;
    }

    private List<Danmaku> publishBatch(long videoId, List<Waiter> batch) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            String lockName = "barrage_danmaku.seq." + videoId;
            lock(connection, lockName, videoId);
            try {
                return publishLocked(connection, videoId, batch);
            } finally {
                release(connection, lockName);
            }
        } catch (SQLException e) {
            throw busy(videoId, e);
        }
    }

    private List<Danmaku> publishLocked(Connection connection, long videoId, List<Waiter> batch) throws SQLException {
        State state = read(connection, videoId);
        if (state.pendingSeq() != null) {
            // An earlier attempt's fate is unknown: void it before anything else gets a seq.
            List<DanmakuEvents.Keyed> tombstones = new ArrayList<>();
            long seq = state.pendingSeq();
            for (long id : state.pendingIds()) {
                tombstones.add(new DanmakuEvents.Keyed(videoId, DanmakuDeleted.of(id, videoId, seq++)));
            }
            events.publishAll(tombstones);
            long last = seq - 1;
            update(
                    connection,
                    "UPDATE danmaku_seq SET last_seq = ?, pending_seq = NULL, pending_ids = NULL"
                            + " WHERE video_id = ?",
                    last,
                    videoId);
            log.info("voided seqs {}..{} of video {}", state.pendingSeq(), last, videoId);
            state = new State(last, null, new long[0]);
        }
        long first = state.lastSeq() + 1;
        List<Danmaku> danmaku = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            danmaku.add(batch.get(i).build.apply(first + i));
        }
        long last = first + batch.size() - 1;
        try (PreparedStatement pending = connection.prepareStatement(
                "UPDATE danmaku_seq SET pending_seq = ?, pending_ids = ? WHERE video_id = ?")) {
            pending.setLong(1, first);
            pending.setString(2, danmaku.stream().map(Danmaku::id).collect(Collectors.joining(",")));
            pending.setLong(3, videoId);
            pending.executeUpdate();
        }
        // A failure here leaves the attempt pending; the next writer voids it.
        events.publishAll(danmaku.stream()
                .map(d -> new DanmakuEvents.Keyed(videoId, DanmakuCreated.of(d)))
                .toList());
        // If this update fails the clients get a 503 and the next writer voids their danmaku, which is
        // consistent with what they were told.
        update(
                connection,
                "UPDATE danmaku_seq SET last_seq = ?, pending_seq = NULL, pending_ids = NULL WHERE video_id = ?",
                last,
                videoId);
        return danmaku;
    }

    private record State(long lastSeq, Long pendingSeq, long[] pendingIds) {}

    private static State read(Connection connection, long videoId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT last_seq, pending_seq, pending_ids FROM danmaku_seq WHERE video_id = ?")) {
            select.setLong(1, videoId);
            try (ResultSet row = select.executeQuery()) {
                if (row.next()) {
                    String ids = row.getString(3);
                    return new State(
                            row.getLong(1),
                            row.getObject(2, Long.class),
                            ids == null || ids.isEmpty()
                                    ? new long[0]
                                    : Arrays.stream(ids.split(","))
                                            .mapToLong(Long::parseLong)
                                            .toArray());
                }
            }
        }
        // First danmaku of this video (we hold its lock, so nobody races this insert).
        update(
                connection,
                "INSERT IGNORE INTO danmaku_seq (video_id, last_seq)"
                        + " SELECT ?, COALESCE(MAX(seq), 0) FROM danmaku WHERE video_id = ?",
                videoId,
                videoId);
        return read(connection, videoId);
    }

    private static void update(Connection connection, String sql, long... args) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setLong(i + 1, args[i]);
            }
            statement.executeUpdate();
        }
    }

    private void lock(Connection connection, String name, long videoId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT GET_LOCK(?, ?)")) {
            statement.setString(1, name);
            statement.setDouble(2, lockWaitSeconds);
            try (ResultSet result = statement.executeQuery()) {
                if (!result.next() || result.getInt(1) != 1) {
                    throw busy(videoId, null);
                }
            }
        }
    }

    private static void release(Connection connection, String name) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            statement.setString(1, name);
            statement.executeQuery().close();
        } catch (SQLException e) {
            // The lock dies with the session; Hikari discards a broken connection.
            log.warn("could not release {}: {}", name, e.toString());
        }
    }

    private static ApiException busy(long videoId, Exception cause) {
        log.warn("no seq for video {}: {}", videoId, cause == null ? "lock wait timed out" : cause.toString());
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "sequence-unavailable", "Danmaku cannot be sent right now.");
    }
}
