-- views: MariaDB holds what was flushed from Redis (video:views:pending); the API adds the pending part.
ALTER TABLE video
    ADD COLUMN views BIGINT NOT NULL DEFAULT 0,
    -- the public list sorts READY videos by views or by title: one index per order, status first
    ADD KEY idx_video_status_views (status, views, id),
    ADD KEY idx_video_status_title (status, title, id),
    -- title search: words and word prefixes (MATCH ... AGAINST ('+word*' IN BOOLEAN MODE))
    ADD FULLTEXT KEY ft_video_title (title);

-- one row per applied view-count flush, written in the same transaction as its increments, so a flush
-- retried after a crash between the commit and the removal of its Redis snapshot is not applied twice
CREATE TABLE video_view_flush (
    flush_id   CHAR(36)    NOT NULL,
    items      INT         NOT NULL,
    applied_at DATETIME(3) NOT NULL,
    PRIMARY KEY (flush_id),
    KEY idx_video_view_flush_applied (applied_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
