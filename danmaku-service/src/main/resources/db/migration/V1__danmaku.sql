CREATE TABLE danmaku (
    id          BIGINT       NOT NULL PRIMARY KEY,
    video_id    BIGINT       NOT NULL,
    seq         BIGINT       NOT NULL,
    sender_id   BIGINT       NOT NULL,
    text        VARCHAR(400) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    playback_ms BIGINT       NOT NULL,
    mode        VARCHAR(8)   NOT NULL,
    color       INT          NOT NULL,
    size        VARCHAR(8)   NOT NULL,
    created_at  DATETIME(3)  NOT NULL,
    CONSTRAINT uk_danmaku_video_seq UNIQUE (video_id, seq),
    INDEX ix_danmaku_video_playback (video_id, playback_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
