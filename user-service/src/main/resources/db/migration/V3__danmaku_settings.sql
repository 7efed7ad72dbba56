-- One row per account that saved its danmaku settings (an account without a row has the defaults).
-- The document is JSON validated and normalised by user-service (io.barrage.user.settings), at most
-- barrage.danmaku-settings.max-body bytes; version is the optimistic-concurrency counter a write must name.
CREATE TABLE danmaku_settings (
    user_id    BIGINT      NOT NULL,
    version    BIGINT      NOT NULL,
    document   MEDIUMTEXT  NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (user_id),
    CONSTRAINT fk_danmaku_settings_user FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
