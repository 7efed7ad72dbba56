CREATE TABLE app_user (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    username       VARCHAR(32)  NOT NULL,
    -- uniqueness ignoring case is enforced here, so two concurrent registrations cannot both win
    username_lower VARCHAR(32)  NOT NULL,
    display_name   VARCHAR(64)  NOT NULL,
    password_hash  VARCHAR(100) NOT NULL,
    created_at     DATETIME(3)  NOT NULL,
    updated_at     DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uk_app_user_username_lower UNIQUE (username_lower)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
