package io.barrage.user.settings;

import java.time.Instant;

/** A row of {@code danmaku_settings}; never leaves this package. */
record SettingsRow(long userId, long version, String document, Instant updatedAt) {}
