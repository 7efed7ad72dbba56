package io.barrage.video.transcode;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code transcode_job} table and the {@code video.transcode-jobs} topic. The row is the truth (who
 * holds the job, until when, how many attempts); the Kafka message only wakes a worker up at once, and a
 * lost message costs at most one sweep interval.
 */
@Service
public class TranscodeJobs {

    public static final String TOPIC = "video.transcode-jobs";
    public static final String GROUP = "video-transcoder";

    private static final Logger log = LoggerFactory.getLogger(TranscodeJobs.class);

    record TranscodeRequested(String type, int version, long videoId, String objectKey, Instant requestedAt) {
        TranscodeRequested(long videoId, String objectKey) {
            this("TranscodeRequested", 1, videoId, objectKey, Instant.now());
        }
    }

    /** A job as the internal API shows it. */
    public record JobView(
            long videoId,
            String status,
            int attempts,
            Instant nextAttemptAt,
            String leaseOwner,
            String failureReason,
            String failureMessage,
            Instant updatedAt) {}

    private final JdbcTemplate jdbc;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;

    TranscodeJobs(JdbcTemplate jdbc, KafkaTemplate<String, String> kafka, JsonMapper json) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.json = json;
    }

    /** Inside the transaction that makes the video PROCESSING: a fresh job (or a reset one). */
    public void enqueue(long videoId) {
        jdbc.update(
                "INSERT INTO transcode_job (video_id, status, attempts, next_attempt_at, created_at, updated_at)"
                        + " VALUES (?, 'QUEUED', 0, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))"
                        + " ON DUPLICATE KEY UPDATE status = 'QUEUED', attempts = 0, lease_owner = NULL,"
                        + " lease_until = NULL, failure_reason = NULL, failure_message = NULL,"
                        + " next_attempt_at = UTC_TIMESTAMP(3), updated_at = UTC_TIMESTAMP(3)",
                videoId);
    }

    /** After the commit: wakes a worker. Best effort, since the sweep finds the row anyway. */
    public void publish(long videoId, String objectKey) {
        var record = new ProducerRecord<>(
                TOPIC, Long.toString(videoId), json.writeValueAsString(new TranscodeRequested(videoId, objectKey)));
        String requestId = MDC.get("requestId");
        if (requestId != null) {
            record.headers().add("X-Request-Id", requestId.getBytes(StandardCharsets.UTF_8));
        }
        try {
            kafka.send(record).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("could not publish the transcode job of video {}; the sweep will find it", videoId, e);
        }
    }

    /**
     * Takes the job if it is due (queued and past its backoff) or its holder's lease ran out; counts the
     * attempt. One conditional write on the database clock, so two workers never both win.
     */
    boolean claim(long videoId, String worker, long leaseSeconds) {
        return jdbc.update(
                        "UPDATE transcode_job SET status = 'RUNNING', lease_owner = ?,"
                                + " lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND, attempts = attempts + 1,"
                                + " updated_at = UTC_TIMESTAMP(3) WHERE video_id = ? AND ((status = 'QUEUED'"
                                + " AND next_attempt_at <= UTC_TIMESTAMP(3)) OR (status = 'RUNNING'"
                                + " AND lease_until < UTC_TIMESTAMP(3)))",
                        worker,
                        leaseSeconds,
                        videoId)
                == 1;
    }

    /** False when the job is no longer this worker's: cancelled (the video was deleted) or taken over. */
    boolean renew(long videoId, String worker, long leaseSeconds) {
        return jdbc.update(
                        "UPDATE transcode_job SET lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND"
                                + " WHERE video_id = ? AND lease_owner = ? AND status = 'RUNNING'",
                        leaseSeconds,
                        videoId,
                        worker)
                == 1;
    }

    int attempts(long videoId) {
        List<Integer> rows =
                jdbc.queryForList("SELECT attempts FROM transcode_job WHERE video_id = ?", Integer.class, videoId);
        return rows.isEmpty() ? 0 : rows.getFirst();
    }

    boolean done(long videoId, String worker) {
        return jdbc.update(
                        "UPDATE transcode_job SET status = 'DONE', lease_owner = NULL, lease_until = NULL,"
                                + " updated_at = UTC_TIMESTAMP(3) WHERE video_id = ? AND lease_owner = ?"
                                + " AND status = 'RUNNING'",
                        videoId,
                        worker)
                == 1;
    }

    /** A failed attempt: back to the queue after {@code backoffSeconds}. */
    boolean retryLater(long videoId, String worker, long backoffSeconds, String reason, String message) {
        return jdbc.update(
                        "UPDATE transcode_job SET status = 'QUEUED', lease_owner = NULL, lease_until = NULL,"
                                + " next_attempt_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND, failure_reason = ?,"
                                + " failure_message = ?, updated_at = UTC_TIMESTAMP(3) WHERE video_id = ?"
                                + " AND lease_owner = ? AND status = 'RUNNING'",
                        backoffSeconds,
                        reason,
                        clip(message),
                        videoId,
                        worker)
                == 1;
    }

    /** The last attempt failed, or the source can never work: the dead letter until a retry. */
    boolean failed(long videoId, String worker, String reason, String message) {
        return jdbc.update(
                        "UPDATE transcode_job SET status = 'FAILED', lease_owner = NULL, lease_until = NULL,"
                                + " failure_reason = ?, failure_message = ?, updated_at = UTC_TIMESTAMP(3)"
                                + " WHERE video_id = ? AND lease_owner = ? AND status = 'RUNNING'",
                        reason,
                        clip(message),
                        videoId,
                        worker)
                == 1;
    }

    /** Jobs a worker may take now: due retries and those whose holder stopped renewing. */
    List<Long> due(int limit) {
        return jdbc.queryForList(
                "SELECT video_id FROM transcode_job WHERE (status = 'QUEUED' AND next_attempt_at <= UTC_TIMESTAMP(3))"
                        + " OR (status = 'RUNNING' AND lease_until < UTC_TIMESTAMP(3)) ORDER BY next_attempt_at LIMIT ?",
                Long.class,
                limit);
    }

    List<JobView> list(String status, int limit) {
        return jdbc.query(
                "SELECT video_id, status, attempts, next_attempt_at, lease_owner, failure_reason, failure_message,"
                        + " updated_at FROM transcode_job WHERE status = ? ORDER BY updated_at DESC LIMIT ?",
                (rs, n) -> new JobView(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getInt(3),
                        instant(rs.getTimestamp(4)),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        instant(rs.getTimestamp(8))),
                status,
                limit);
    }

    private static Instant instant(Timestamp time) {
        return time == null ? null : time.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC);
    }

    static String clip(String message) {
        if (message == null) {
            return null;
        }
        return message.length() > 400 ? message.substring(0, 400) : message;
    }
}
