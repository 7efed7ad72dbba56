-- The transcoding pipeline (docs/architecture.md "Transcoding"). ladder_state is NULL for a video made
-- without a ladder (transcoding off): it plays its original.
ALTER TABLE video
    ADD COLUMN ladder_state    VARCHAR(16)  NULL,
    ADD COLUMN failure_reason  VARCHAR(40)  NULL,
    ADD COLUMN failure_message VARCHAR(400) NULL,
    ADD COLUMN storyboard      TINYINT(1)   NOT NULL DEFAULT 0;

-- One job per video. Kafka (video.transcode-jobs) only wakes a worker up; this row is the truth: a worker
-- owns the job while its lease (lease_owner, lease_until on the database clock) is fresh, renews it while
-- ffmpeg runs, and every write is fenced with WHERE lease_owner = ? AND status = 'RUNNING'. A worker that
-- dies stops renewing, and another claims the job once the lease runs out.
CREATE TABLE transcode_job (
    video_id        BIGINT       NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    attempts        INT          NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(3)  NOT NULL,
    lease_owner     VARCHAR(100) NULL,
    lease_until     DATETIME(3)  NULL,
    failure_reason  VARCHAR(40)  NULL,
    failure_message VARCHAR(400) NULL,
    created_at      DATETIME(3)  NOT NULL,
    updated_at      DATETIME(3)  NOT NULL,
    PRIMARY KEY (video_id),
    KEY idx_transcode_job_due (status, next_attempt_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per rung of a video's ladder. A rung is published (listed in the master playlist) only when its
-- row is DONE, which is written after every one of its objects is stored: a half-written rung is never
-- seen, and a retry overwrites the same keys before it marks the rung DONE.
CREATE TABLE video_rendition (
    video_id          BIGINT      NOT NULL,
    name              VARCHAR(16) NOT NULL,
    height            INT         NOT NULL,
    width             INT         NOT NULL,
    state             VARCHAR(16) NOT NULL,
    percent           INT         NOT NULL DEFAULT 0,
    bandwidth         BIGINT      NULL,
    average_bandwidth BIGINT      NULL,
    codecs            VARCHAR(100) NULL,
    updated_at        DATETIME(3) NOT NULL,
    PRIMARY KEY (video_id, name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
