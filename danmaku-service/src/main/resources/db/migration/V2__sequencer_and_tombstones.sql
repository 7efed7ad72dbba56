-- One row per video: the last seq that was published, and the batch in flight (if any): its first seq and
-- its danmaku ids, comma-separated, in seq order. A pending batch whose outcome is unknown (the instance
-- died, or the broker did not answer) is voided by the next writer with DanmakuDeleted tombstones, so
-- every seq reaches the topic as Created, Created then Deleted, or Deleted alone.
CREATE TABLE danmaku_seq (
    video_id    BIGINT   NOT NULL PRIMARY KEY,
    last_seq    BIGINT   NOT NULL,
    pending_seq BIGINT   NULL,
    pending_ids TEXT     NULL
) ENGINE = InnoDB;

INSERT INTO danmaku_seq (video_id, last_seq)
SELECT video_id, MAX(seq) FROM danmaku GROUP BY video_id;

-- Ids that were deleted or voided; a Created event redelivered after its Deleted never resurrects a row.
CREATE TABLE danmaku_tombstone (
    id         BIGINT      NOT NULL PRIMARY KEY,
    video_id   BIGINT      NOT NULL,
    deleted_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE = InnoDB;

CREATE INDEX ix_danmaku_sender ON danmaku (sender_id, id);
