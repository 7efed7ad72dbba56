package io.barrage.user.session;

import java.time.Instant;

/**
 * The value stored under {@code session:{sha256 hex of token}}: enough to answer an introspection
 * without the database.
 *
 * @param id the {@code user_session} row; 0 in values written before sessions had rows
 * @param seenAt when the database last heard of this session (sliding expiry is written at most once
 *     per touch interval)
 */
record SessionData(
        long id, long userId, String username, Instant createdAt, Instant absoluteExpiresAt, Instant seenAt) {

    SessionData seen(Instant now) {
        return new SessionData(id, userId, username, createdAt, absoluteExpiresAt, now);
    }
}
