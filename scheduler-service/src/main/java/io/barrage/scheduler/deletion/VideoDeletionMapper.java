package io.barrage.scheduler.deletion;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

/**
 * The ledger. Claims and leases compare with the database's clock ({@code UTC_TIMESTAMP(3)}), never a
 * replica's, so replicas with skewed clocks still agree on whose claim has run out. Every write a purge
 * makes is fenced by its claim: {@code WHERE claimed_by = #{claim} AND status = 'PENDING'} matches no
 * row once the claim was taken over or the deletion was cancelled, and the purge stops.
 */
@Mapper
interface VideoDeletionMapper extends BaseMapper<VideoDeletion> {

    /**
     * Due records nobody holds a live claim on. SKIP LOCKED lets several replicas claim at once without
     * waiting for each other or taking the same row.
     */
    @Select("SELECT * FROM video_deletion WHERE status = 'PENDING' AND due_at <= UTC_TIMESTAMP(3)"
            + " AND (claim_until IS NULL OR claim_until <= UTC_TIMESTAMP(3))"
            + " ORDER BY due_at LIMIT #{limit} FOR UPDATE SKIP LOCKED")
    List<VideoDeletion> lockClaimable(@Param("limit") int limit);

    @Update("UPDATE video_deletion SET claimed_by = #{claim},"
            + " claim_until = UTC_TIMESTAMP(3) + INTERVAL #{leaseMicros} MICROSECOND, updated_at = UTC_TIMESTAMP(3)"
            + " WHERE video_id = #{videoId}")
    int claim(@Param("videoId") long videoId, @Param("claim") String claim, @Param("leaseMicros") long leaseMicros);

    /** Records a finished step (or progress within one) and renews the lease; 0 when the claim is lost. */
    @Update("UPDATE video_deletion SET step = #{to}, objects_removed = objects_removed + #{objects},"
            + " danmaku_removed = danmaku_removed + #{danmaku},"
            + " claim_until = UTC_TIMESTAMP(3) + INTERVAL #{leaseMicros} MICROSECOND, updated_at = UTC_TIMESTAMP(3)"
            + " WHERE video_id = #{videoId} AND claimed_by = #{claim} AND status = 'PENDING' AND step = #{from}")
    int advance(
            @Param("videoId") long videoId,
            @Param("claim") String claim,
            @Param("from") PurgeStep from,
            @Param("to") PurgeStep to,
            @Param("objects") int objects,
            @Param("danmaku") long danmaku,
            @Param("leaseMicros") long leaseMicros);

    /** Ends a claimed purge as DONE (with the purge time), CANCELLED or FAILED. */
    @Update("UPDATE video_deletion SET status = #{status}, step = #{step}, last_error = #{note},"
            + " purged_at = IF(#{status} = 'DONE', UTC_TIMESTAMP(3), purged_at),"
            + " claimed_by = NULL, claim_until = NULL, updated_at = UTC_TIMESTAMP(3)"
            + " WHERE video_id = #{videoId} AND claimed_by = #{claim} AND status = 'PENDING'")
    int finish(
            @Param("videoId") long videoId,
            @Param("claim") String claim,
            @Param("status") DeletionStatus status,
            @Param("step") PurgeStep step,
            @Param("note") String note);

    /** A failed attempt: back off (PENDING, later due time) or give up (FAILED, the dead letter). */
    @Update("UPDATE video_deletion SET status = #{status}, attempts = #{attempts}, due_at = #{dueAt},"
            + " last_error = #{error}, claimed_by = NULL, claim_until = NULL, updated_at = UTC_TIMESTAMP(3)"
            + " WHERE video_id = #{videoId} AND claimed_by = #{claim} AND status = 'PENDING'")
    int attemptFailed(
            @Param("videoId") long videoId,
            @Param("claim") String claim,
            @Param("status") DeletionStatus status,
            @Param("attempts") int attempts,
            @Param("dueAt") LocalDateTime dueAt,
            @Param("error") String error);

    /** Takes a dead letter back: attempts from zero, due now, resuming at the step it reached. */
    @Update("UPDATE video_deletion SET status = 'PENDING', attempts = 0, due_at = UTC_TIMESTAMP(3),"
            + " last_error = NULL, claimed_by = NULL, claim_until = NULL, updated_at = UTC_TIMESTAMP(3)"
            + " WHERE video_id = #{videoId} AND status = 'FAILED'")
    int retry(@Param("videoId") long videoId);

    /** Deletions that are due and not yet done: the purge backlog an SRE watches. */
    @Select("SELECT COUNT(*) FROM video_deletion WHERE status = 'PENDING' AND due_at <= UTC_TIMESTAMP(3)")
    long countDue();

    @Select("SELECT COUNT(*) FROM video_deletion WHERE status = 'FAILED'")
    long countFailed();

    @Select("SELECT * FROM video_deletion WHERE video_id = #{videoId} FOR UPDATE")
    VideoDeletion lockById(@Param("videoId") long videoId);
}
