package io.barrage.user.session;

import java.time.Instant;

/** The value stored under {@code session:{sha256 hex of token}}. */
record SessionData(long userId, String username, Instant createdAt) {}
