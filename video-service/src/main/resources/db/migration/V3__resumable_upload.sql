-- tus resumable uploads. The bytes of the part being collected sit in a local buffer file; completed
-- parts are S3 multipart parts listed in video_upload_part, whose ETags complete the object.
CREATE TABLE video_upload (
    id            CHAR(32)      NOT NULL,
    video_id      BIGINT        NOT NULL,
    owner_id      BIGINT        NOT NULL,
    upload_length BIGINT        NOT NULL,
    -- bytes held by the completed S3 parts; the upload offset is this plus the local buffer
    flushed_bytes BIGINT        NOT NULL DEFAULT 0,
    parts         INT           NOT NULL DEFAULT 0,
    s3_upload_id  VARCHAR(1024) NULL,
    content_type  VARCHAR(100)  NULL,
    expires_at    DATETIME(3)   NOT NULL,
    created_at    DATETIME(3)   NOT NULL,
    completed_at  DATETIME(3)   NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uk_video_upload_video (video_id),
    KEY idx_video_upload_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE video_upload_part (
    upload_id   CHAR(32)     NOT NULL,
    part_number INT          NOT NULL,
    etag        VARCHAR(100) NOT NULL,
    size_bytes  BIGINT       NOT NULL,
    PRIMARY KEY (upload_id, part_number)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
