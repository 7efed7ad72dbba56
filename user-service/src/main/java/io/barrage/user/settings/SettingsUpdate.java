package io.barrage.user.settings;

import java.util.List;

/**
 * A PUT body: the whole settings document plus the version it was read at. A null field takes its
 * default; the version may come as If-Match instead.
 */
record SettingsUpdate(
        Long version,
        List<RuleInput> rules,
        List<String> hiddenModes,
        Boolean hideColored,
        Boolean mergeRepeats,
        Integer displayArea,
        Boolean subtitleSafe,
        Double speed,
        Double fontScale,
        Double opacity) {

    /** A rule as a client sends it; {@code enabled} defaults to true. */
    record RuleInput(String type, String value, Boolean enabled) {}
}
