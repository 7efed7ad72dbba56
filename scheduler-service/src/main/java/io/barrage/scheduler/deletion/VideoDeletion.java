package io.barrage.scheduler.deletion;

import com.baomidou.mybatisplus.annotation.FieldStrategy;
import com.baomidou.mybatisplus.annotation.IdType;
import com.baomidou.mybatisplus.annotation.TableField;
import com.baomidou.mybatisplus.annotation.TableId;
import com.baomidou.mybatisplus.annotation.TableName;
import java.time.LocalDateTime;

/** A row of {@code video_deletion}; times are UTC wall-clock values. */
@TableName("video_deletion")
class VideoDeletion {

    @TableId(value = "video_id", type = IdType.INPUT)
    private Long videoId;

    private Long ownerId;
    private Long deletedBy;
    private String objectKey;
    private LocalDateTime requestedAt;
    private LocalDateTime dueAt;
    private DeletionStatus status;
    private Integer attempts;
    private PurgeStep step;
    private Integer objectsRemoved;
    private Long danmakuRemoved;

    @TableField(updateStrategy = FieldStrategy.ALWAYS)
    private String claimedBy;

    @TableField(updateStrategy = FieldStrategy.ALWAYS)
    private LocalDateTime claimUntil;

    @TableField(updateStrategy = FieldStrategy.ALWAYS)
    private String lastError;

    @TableField(updateStrategy = FieldStrategy.ALWAYS)
    private LocalDateTime purgedAt;

    private LocalDateTime updatedAt;

    Long getVideoId() {
        return videoId;
    }

    void setVideoId(Long videoId) {
        this.videoId = videoId;
    }

    Long getOwnerId() {
        return ownerId;
    }

    void setOwnerId(Long ownerId) {
        this.ownerId = ownerId;
    }

    Long getDeletedBy() {
        return deletedBy;
    }

    void setDeletedBy(Long deletedBy) {
        this.deletedBy = deletedBy;
    }

    PurgeStep getStep() {
        return step;
    }

    void setStep(PurgeStep step) {
        this.step = step;
    }

    Integer getObjectsRemoved() {
        return objectsRemoved;
    }

    void setObjectsRemoved(Integer objectsRemoved) {
        this.objectsRemoved = objectsRemoved;
    }

    Long getDanmakuRemoved() {
        return danmakuRemoved;
    }

    void setDanmakuRemoved(Long danmakuRemoved) {
        this.danmakuRemoved = danmakuRemoved;
    }

    String getClaimedBy() {
        return claimedBy;
    }

    void setClaimedBy(String claimedBy) {
        this.claimedBy = claimedBy;
    }

    LocalDateTime getClaimUntil() {
        return claimUntil;
    }

    void setClaimUntil(LocalDateTime claimUntil) {
        this.claimUntil = claimUntil;
    }

    String getObjectKey() {
        return objectKey;
    }

    void setObjectKey(String objectKey) {
        this.objectKey = objectKey;
    }

    LocalDateTime getRequestedAt() {
        return requestedAt;
    }

    void setRequestedAt(LocalDateTime requestedAt) {
        this.requestedAt = requestedAt;
    }

    LocalDateTime getDueAt() {
        return dueAt;
    }

    void setDueAt(LocalDateTime dueAt) {
        this.dueAt = dueAt;
    }

    DeletionStatus getStatus() {
        return status;
    }

    void setStatus(DeletionStatus status) {
        this.status = status;
    }

    Integer getAttempts() {
        return attempts;
    }

    void setAttempts(Integer attempts) {
        this.attempts = attempts;
    }

    String getLastError() {
        return lastError;
    }

    void setLastError(String lastError) {
        this.lastError = lastError;
    }

    LocalDateTime getPurgedAt() {
        return purgedAt;
    }

    void setPurgedAt(LocalDateTime purgedAt) {
        this.purgedAt = purgedAt;
    }

    LocalDateTime getUpdatedAt() {
        return updatedAt;
    }

    void setUpdatedAt(LocalDateTime updatedAt) {
        this.updatedAt = updatedAt;
    }
}
