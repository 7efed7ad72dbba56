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
    private String objectKey;
    private LocalDateTime requestedAt;
    private LocalDateTime dueAt;
    private DeletionStatus status;
    private Integer attempts;

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
