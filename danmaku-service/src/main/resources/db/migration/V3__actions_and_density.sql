-- Likes: one row per (danmaku, user), written in batches by the like flusher from Redis; the count per
-- danmaku is kept beside them so a read never counts rows, and it only changes once per flush.
CREATE TABLE danmaku_like (
    danmaku_id BIGINT      NOT NULL,
    user_id    BIGINT      NOT NULL,
    video_id   BIGINT      NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (danmaku_id, user_id)
) ENGINE = InnoDB;

CREATE TABLE danmaku_like_count (
    danmaku_id BIGINT NOT NULL PRIMARY KEY,
    video_id   BIGINT NOT NULL,
    likes      BIGINT NOT NULL,
    INDEX ix_like_count_video (video_id, likes)
) ENGINE = InnoDB;

-- Reports: one per (danmaku, reporter); the case row is the moderation queue's entry, ordered by reports.
CREATE TABLE danmaku_report (
    danmaku_id  BIGINT      NOT NULL,
    reporter_id BIGINT      NOT NULL,
    reason      VARCHAR(16) NOT NULL,
    created_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    PRIMARY KEY (danmaku_id, reporter_id)
) ENGINE = InnoDB;

CREATE TABLE danmaku_report_case (
    danmaku_id       BIGINT      NOT NULL PRIMARY KEY,
    video_id         BIGINT      NOT NULL,
    reports          INT         NOT NULL,
    status           VARCHAR(8)  NOT NULL,
    first_reported_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    resolved_at      DATETIME(3) NULL,
    INDEX ix_report_case_queue (status, reports, danmaku_id)
) ENGINE = InnoDB;

-- Uploader tools: danmaku protected from recall and report-driven removal, and videos closed to danmaku.
CREATE TABLE danmaku_protected (
    danmaku_id BIGINT      NOT NULL PRIMARY KEY,
    video_id   BIGINT      NOT NULL,
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB;

CREATE TABLE danmaku_video_state (
    video_id   BIGINT      NOT NULL PRIMARY KEY,
    closed     BOOLEAN     NOT NULL,
    updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB;

-- The density curve: danmaku per 5-second playback bucket, changed in the persister's transaction by
-- exactly the rows it inserted or removed (so redeliveries and voided seqs never skew it).
CREATE TABLE danmaku_density (
    video_id BIGINT NOT NULL,
    bucket   BIGINT NOT NULL,
    danmaku  BIGINT NOT NULL,
    PRIMARY KEY (video_id, bucket)
) ENGINE = InnoDB;

INSERT INTO danmaku_density (video_id, bucket, danmaku)
SELECT video_id, playback_ms DIV 5000, COUNT(*) FROM danmaku GROUP BY video_id, playback_ms DIV 5000;
