package io.barrage.danmaku.history;

import com.baomidou.mybatisplus.annotation.IdType;
import com.baomidou.mybatisplus.annotation.TableId;
import com.baomidou.mybatisplus.annotation.TableName;
import io.barrage.danmaku.ingest.Danmaku;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** One row of {@code danmaku}; times are stored as UTC wall-clock in DATETIME(3). */
@TableName("danmaku")
class DanmakuRow {

    @TableId(type = IdType.INPUT)
    private Long id;

    private Long videoId;
    private Long seq;
    private Long senderId;
    private String text;
    private Long playbackMs;
    private String mode;
    private Integer color;
    private String size;
    private LocalDateTime createdAt;

    static DanmakuRow of(Danmaku d) {
        DanmakuRow row = new DanmakuRow();
        row.id = Long.parseLong(d.id());
        row.videoId = d.videoId();
        row.seq = d.seq();
        row.senderId = d.senderId();
        row.text = d.text();
        row.playbackMs = d.playbackMs();
        row.mode = d.mode();
        row.color = d.color();
        row.size = d.size();
        row.createdAt = LocalDateTime.ofInstant(d.createdAt(), ZoneOffset.UTC);
        return row;
    }

    /** Just enough of a row to tombstone it. */
    static DanmakuRow tombstone(long id, long videoId) {
        DanmakuRow row = new DanmakuRow();
        row.id = id;
        row.videoId = videoId;
        return row;
    }

    /** A row read earlier, as the tombstone path needs it (id, video, seq, playback time). */
    static DanmakuRow tombstoneOf(Danmaku d) {
        DanmakuRow row = tombstone(Long.parseLong(d.id()), d.videoId());
        row.seq = d.seq();
        row.playbackMs = d.playbackMs();
        row.senderId = d.senderId();
        return row;
    }

    Danmaku toDanmaku() {
        return new Danmaku(
                Long.toString(id),
                videoId,
                seq,
                senderId,
                text,
                playbackMs,
                mode,
                color,
                size,
                createdAt.toInstant(ZoneOffset.UTC));
    }

    public Long getId() {
        return id;
    }

    public void setId(Long id) {
        this.id = id;
    }

    public Long getVideoId() {
        return videoId;
    }

    public void setVideoId(Long videoId) {
        this.videoId = videoId;
    }

    public Long getSeq() {
        return seq;
    }

    public void setSeq(Long seq) {
        this.seq = seq;
    }

    public Long getSenderId() {
        return senderId;
    }

    public void setSenderId(Long senderId) {
        this.senderId = senderId;
    }

    public String getText() {
        return text;
    }

    public void setText(String text) {
        this.text = text;
    }

    public Long getPlaybackMs() {
        return playbackMs;
    }

    public void setPlaybackMs(Long playbackMs) {
        this.playbackMs = playbackMs;
    }

    public String getMode() {
        return mode;
    }

    public void setMode(String mode) {
        this.mode = mode;
    }

    public Integer getColor() {
        return color;
    }

    public void setColor(Integer color) {
        this.color = color;
    }

    public String getSize() {
        return size;
    }

    public void setSize(String size) {
        this.size = size;
    }

    public LocalDateTime getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(LocalDateTime createdAt) {
        this.createdAt = createdAt;
    }
}
