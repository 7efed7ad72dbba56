package io.barrage.user.session;

import java.time.Instant;

/** One of the caller's sessions as listed by {@code GET /api/v1/sessions}; never the token. */
record SessionView(
        long id,
        Instant createdAt,
        Instant lastSeenAt,
        Instant expiresAt,
        Instant absoluteExpiresAt,
        String userAgent,
        boolean current) {}
