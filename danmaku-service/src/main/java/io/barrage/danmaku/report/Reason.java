package io.barrage.danmaku.report;

import io.barrage.platform.problem.ApiException;
import java.util.Arrays;
import java.util.Locale;

/** Why a danmaku was reported; on the wire in lower case ({@code off-topic}). */
enum Reason {
    SPAM,
    ABUSE,
    SPOILER,
    OFF_TOPIC,
    OTHER;

    String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Reason parse(String value) {
        return Arrays.stream(values())
                .filter(r -> r.wire().equals(value))
                .findFirst()
                .orElseThrow(() -> ApiException.badRequest(
                        "invalid-reason", "reason must be one of spam, abuse, spoiler, off-topic, other."));
    }
}
