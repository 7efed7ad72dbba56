/**
 * Per-account danmaku settings: block rules of three kinds (keyword, regex, user), the display
 * switches (hidden modes, coloured, merged repeats, display area, subtitle-safe margin, speed, size,
 * opacity), their optimistic versioning, and import/export in bilibili's rule JSON. The web UI applies
 * them on the client; this package only validates, bounds and stores them ({@code danmaku_settings}).
 */
package io.barrage.user.settings;
