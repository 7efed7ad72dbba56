package io.barrage.user.account;

import java.time.Instant;

/** What a user sees about themselves; {@code avatarUrl} may be null. */
record UserView(long id, String username, String displayName, String avatarUrl, Instant createdAt) {}
