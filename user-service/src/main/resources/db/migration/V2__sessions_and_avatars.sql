ALTER TABLE app_user ADD COLUMN avatar_url VARCHAR(512) NULL AFTER display_name;

-- The durable copy of every live session; Redis holds the fast copy. Only the token's SHA-256 is kept.
CREATE TABLE user_session (
    id                  BIGINT       NOT NULL AUTO_INCREMENT,
    user_id             BIGINT       NOT NULL,
    token_hash          CHAR(64)     NOT NULL,
    user_agent          VARCHAR(200) NULL,
    created_at          DATETIME(3)  NOT NULL,
    last_seen_at        DATETIME(3)  NOT NULL,
    -- sliding: last_seen_at + ttl, never beyond absolute_expires_at
    expires_at          DATETIME(3)  NOT NULL,
    absolute_expires_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uk_user_session_token_hash UNIQUE (token_hash),
    KEY ix_user_session_user (user_id, created_at),
    KEY ix_user_session_expires (expires_at),
    CONSTRAINT fk_user_session_user FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
