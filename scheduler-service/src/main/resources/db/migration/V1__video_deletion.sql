CREATE TABLE video_deletion (
    video_id     BIGINT        NOT NULL,
    owner_id     BIGINT        NOT NULL,
    object_key   VARCHAR(255)  NOT NULL,
    requested_at DATETIME(3)   NOT NULL,
    due_at       DATETIME(3)   NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    attempts     INT           NOT NULL DEFAULT 0,
    last_error   VARCHAR(1000) NULL,
    purged_at    DATETIME(3)   NULL,
    updated_at   DATETIME(3)   NOT NULL,
    PRIMARY KEY (video_id),
    KEY idx_video_deletion_due (status, due_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
