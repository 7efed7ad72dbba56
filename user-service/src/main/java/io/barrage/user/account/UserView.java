package io.barrage.user.account;

import java.time.Instant;

/** What a user sees about themselves. */
record UserView(long id, String username, String displayName, Instant createdAt) {}
