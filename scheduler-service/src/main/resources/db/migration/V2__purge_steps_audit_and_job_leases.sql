-- The purge runs in steps (OBJECTS, DANMAKU, VIDEO, then DONE). Each step's completion is committed on
-- its own, so a replica that dies mid-purge leaves a record another replica resumes at the right step.
-- The claim is a lease (claimed_by + claim_until, compared with the database's clock): a dead replica's
-- claim simply runs out, and every progress write is fenced by the claim, so a replica that lost its
-- claim cannot record anything.
ALTER TABLE video_deletion
    ADD COLUMN deleted_by      BIGINT       NULL AFTER owner_id,
    ADD COLUMN step            VARCHAR(16)  NOT NULL DEFAULT 'OBJECTS' AFTER status,
    ADD COLUMN objects_removed INT          NOT NULL DEFAULT 0 AFTER step,
    ADD COLUMN danmaku_removed BIGINT       NOT NULL DEFAULT 0 AFTER objects_removed,
    ADD COLUMN claimed_by      VARCHAR(100) NULL AFTER danmaku_removed,
    ADD COLUMN claim_until     DATETIME(3)  NULL AFTER claimed_by;

-- Append-only: who deleted what and when, each purge step with what it removed, failures, the dead
-- letter, retries, restores. Never updated, never deleted.
CREATE TABLE deletion_audit (
    id              BIGINT        NOT NULL AUTO_INCREMENT,
    video_id        BIGINT        NOT NULL,
    action          VARCHAR(24)   NOT NULL,
    actor_id        BIGINT        NULL,
    instance        VARCHAR(100)  NULL,
    objects_removed INT           NULL,
    danmaku_removed BIGINT        NULL,
    note            VARCHAR(1000) NULL,
    at              DATETIME(3)   NOT NULL,
    PRIMARY KEY (id),
    KEY idx_deletion_audit_video (video_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row per periodic job. lease_until is both the lease and the next due time: a replica runs the job
-- only if its UPDATE ... WHERE lease_until <= now moves it one period ahead, so each period runs once
-- however many replicas tick.
CREATE TABLE job_lease (
    name              VARCHAR(64)   NOT NULL,
    holder            VARCHAR(100)  NULL,
    lease_until       DATETIME(3)   NOT NULL,
    last_started_at   DATETIME(3)   NULL,
    last_success_at   DATETIME(3)   NULL,
    last_duration_ms  BIGINT        NULL,
    last_items        BIGINT        NULL,
    last_error        VARCHAR(1000) NULL,
    PRIMARY KEY (name)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
