package io.barrage.scheduler.deletion;

import java.time.LocalDateTime;

/** A row of the append-only {@code deletion_audit}; times are UTC. */
class DeletionAudit {

    private Long id;
    private Long videoId;
    private String action;
    private Long actorId;
    private String instance;
    private Integer objectsRemoved;
    private Long danmakuRemoved;
    private String note;
    private LocalDateTime at;

    Long getId() {
        return id;
    }

    void setId(Long id) {
        this.id = id;
    }

    Long getVideoId() {
        return videoId;
    }

    void setVideoId(Long videoId) {
        this.videoId = videoId;
    }

    String getAction() {
        return action;
    }

    void setAction(String action) {
        this.action = action;
    }

    Long getActorId() {
        return actorId;
    }

    void setActorId(Long actorId) {
        this.actorId = actorId;
    }

    String getInstance() {
        return instance;
    }

    void setInstance(String instance) {
        this.instance = instance;
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

    String getNote() {
        return note;
    }

    void setNote(String note) {
        this.note = note;
    }

    LocalDateTime getAt() {
        return at;
    }

    void setAt(LocalDateTime at) {
        this.at = at;
    }
}
