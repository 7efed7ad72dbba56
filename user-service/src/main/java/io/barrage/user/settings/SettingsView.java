package io.barrage.user.settings;

import java.time.Instant;
import java.util.List;

/**
 * An account's settings as the API answers them. {@code version} is 0 (and {@code updatedAt} null) while
 * the account has only the defaults; a write names the version it read (or sends it as If-Match).
 */
record SettingsView(
        long version,
        Instant updatedAt,
        List<DanmakuRule> rules,
        List<String> hiddenModes,
        boolean hideColored,
        boolean mergeRepeats,
        int displayArea,
        boolean subtitleSafe,
        double speed,
        double fontScale,
        double opacity) {

    static SettingsView of(long version, Instant updatedAt, DanmakuSettings s) {
        return new SettingsView(
                version,
                updatedAt,
                s.rules(),
                s.hiddenModes(),
                s.hideColored(),
                s.mergeRepeats(),
                s.displayArea(),
                s.subtitleSafe(),
                s.speed(),
                s.fontScale(),
                s.opacity());
    }

    String etag() {
        return "\"" + version + "\"";
    }
}
