package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Each video's seqs in {@code danmaku_seq}, written by one holder at a time in the whole cluster: a MariaDB
 * named lock ({@code GET_LOCK}) per video, held on the connection that does the writes. The lock belongs to
 * the database session, so it is released when its holder dies; what the holder was attempting stays
 * recorded as pending ({@code pending_seq} and the danmaku ids) for the next holder to settle.
 */
@Component
class SeqLedger {

    private static final Logger log = LoggerFactory.getLogger(SeqLedger.class);

    /** What a holder of the lock does; a {@link SQLException} becomes a 503. */
    @FunctionalInterface
    interface Work<R> {
        R run(Held seqs) throws SQLException;
    }

    /** An attempt whose fate is unknown: seqs from {@code firstSeq} on, one per id. */
    record Attempt(long firstSeq, long[] ids) {}

    private final DataSource dataSource;
    private final double lockWaitSeconds;

    SeqLedger(DataSource dataSource, SequencerProperties properties) {
        this.dataSource = dataSource;
        this.lockWaitSeconds = properties.lockWait().toMillis() / 1000.0;
    }

    /** Runs {@code work} holding the video's lock; 503 {@code sequence-unavailable} when it cannot be had. */
    <R> R underLock(long videoId, Work<R> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            String lockName = "barrage_danmaku.seq." + videoId;
            lock(connection, lockName, videoId);
            try {
                return work.run(new Held(connection, videoId));
            } finally {
                release(connection, lockName);
            }
        } catch (SQLException e) {
            throw unavailable(videoId, e);
        }
    }

    /** The ledger of one video, while its lock is held. */
    static final class Held {

        private final Connection connection;
        private final long videoId;
        private long lastSeq;
        private @Nullable Attempt pending;

        private Held(Connection connection, long videoId) throws SQLException {
            this.connection = connection;
            this.videoId = videoId;
            read();
        }

        /** The last seq known to be published. */
        long lastSeq() {
            return lastSeq;
        }

        /** The previous holder's attempt, if it did not record its outcome. */
        @Nullable
        Attempt pending() {
            return pending;
        }

        /** Records the attempt about to be published: if this holder dies, the next one voids it. */
        void begin(long firstSeq, List<String> ids) throws SQLException {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE danmaku_seq SET pending_seq = ?, pending_ids = ? WHERE video_id = ?")) {
                statement.setLong(1, firstSeq);
                statement.setString(2, String.join(",", ids));
                statement.setLong(3, videoId);
                statement.executeUpdate();
            }
        }

        /** Every seq up to {@code last} is accounted for on the stream; nothing is pending any more. */
        void settled(long last) throws SQLException {
            update(
                    connection,
                    "UPDATE danmaku_seq SET last_seq = ?, pending_seq = NULL, pending_ids = NULL WHERE video_id = ?",
                    last,
                    videoId);
            lastSeq = last;
            pending = null;
        }

        private void read() throws SQLException {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT last_seq, pending_seq, pending_ids FROM danmaku_seq WHERE video_id = ?")) {
                select.setLong(1, videoId);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        lastSeq = row.getLong(1);
                        Long pendingSeq = row.getObject(2, Long.class);
                        String ids = row.getString(3);
                        pending = pendingSeq == null
                                ? null
                                : new Attempt(
                                        pendingSeq,
                                        ids == null || ids.isEmpty()
                                                ? new long[0]
                                                : Arrays.stream(ids.split(","))
                                                        .mapToLong(Long::parseLong)
                                                        .toArray());
                        return;
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
            read();
        }
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
                    throw unavailable(videoId, null);
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

    /** 503 {@code sequence-unavailable}: no seq could be had (lock wait timed out, database failing). */
    static ApiException unavailable(long videoId, @Nullable Exception cause) {
        log.warn("no seq for video {}: {}", videoId, cause == null ? "lock wait timed out" : cause.toString());
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "sequence-unavailable", "Danmaku cannot be sent right now.");
    }
}
