package io.barrage.danmaku.ingest;

import io.barrage.platform.problem.ApiException;
import io.barrage.platform.text.UserText;
import java.util.Set;

/** The content rules of docs/api.md ("Text" and the danmaku fields), each failure with its own code so a client can say what was wrong. */
final class DanmakuRules {

    static final int MAX_CODE_POINTS = 100;
    static final long MAX_COLOR = 0xFFFFFF;

    private static final Set<String> MODES = Set.of("SCROLL", "TOP", "BOTTOM");
    private static final Set<String> SIZES = Set.of("SMALL", "NORMAL", "LARGE");

    private DanmakuRules() {}

    /** A request whose content passed every check that does not need the video. */
    record Checked(String text, long playbackMs, String mode, int color, String size) {}

    static Checked check(NewDanmaku request) {
        String text = request.text() == null ? "" : request.text().strip();
        if (text.isEmpty()) {
            throw ApiException.badRequest("text-empty", "The text is empty.");
        }
        if (text.codePointCount(0, text.length()) > MAX_CODE_POINTS) {
            throw ApiException.badRequest(
                    "text-too-long", "The text is longer than " + MAX_CODE_POINTS + " characters.");
        }
        switch (UserText.check(text, false)) {
            case UNKEEPABLE ->
                throw ApiException.badRequest(
                        "invalid-text", "The text contains an unpaired surrogate or a non-character.");
            case HIDDEN ->
                throw ApiException.badRequest(
                        "control-characters", "The text contains control, format or invisible characters.");
            case OK -> {}
        }
        String mode = request.mode() == null ? "SCROLL" : request.mode();
        if (!MODES.contains(mode)) {
            throw ApiException.badRequest("invalid-mode", "The mode must be SCROLL, TOP or BOTTOM.");
        }
        long color = request.color() == null ? MAX_COLOR : request.color();
        if (color < 0 || color > MAX_COLOR) {
            throw ApiException.badRequest("invalid-color", "The color must be between 0 and 16777215.");
        }
        String size = request.size() == null ? "NORMAL" : request.size();
        if (!SIZES.contains(size)) {
            throw ApiException.badRequest("invalid-size", "The size must be SMALL, NORMAL or LARGE.");
        }
        if (request.playbackMs() == null) {
            throw ApiException.badRequest("invalid-request", "playbackMs is required.");
        }
        long playbackMs = request.playbackMs();
        if (playbackMs < 0) {
            throw outOfRange();
        }
        return new Checked(text, playbackMs, mode, (int) color, size);
    }

    /**
     * Within the video's duration and never past {@code maxMs} (which also bounds a video whose duration
     * video-service does not know yet): a duration is what an upload claims, and history reads were once
     * made to walk every segment up to the last danmaku of a video claiming 136 years.
     */
    static void checkPlayback(long playbackMs, long durationMs, long maxMs) {
        long limit = durationMs > 0 ? Math.min(durationMs, maxMs) : maxMs;
        if (playbackMs > limit) {
            throw outOfRange();
        }
    }

    private static ApiException outOfRange() {
        return ApiException.badRequest("playback-out-of-range", "playbackMs is outside the video.");
    }
}
