package io.barrage.user.settings;

import java.util.List;

/**
 * The stored document: everything but the version. Always valid and normalised (see {@link
 * SettingsValidation}); {@link #DEFAULTS} is what an account that never saved any has.
 *
 * @param hiddenModes the modes not shown (SCROLL, TOP, BOTTOM)
 * @param hideColored hides every danmaku whose colour is not white
 * @param mergeRepeats the same text within a few seconds shows once, with ×N
 * @param displayArea the share of the picture danmaku may use, in percent: 100, 75, 50 or 25
 * @param subtitleSafe keeps the bottom of the picture clear for subtitles
 * @param speed scrolling speed as a factor of the normal (0.5 to 2)
 * @param fontScale font size as a factor of the normal (0.5 to 2)
 * @param opacity 0.1 to 1
 */
record DanmakuSettings(
        List<DanmakuRule> rules,
        List<String> hiddenModes,
        boolean hideColored,
        boolean mergeRepeats,
        int displayArea,
        boolean subtitleSafe,
        double speed,
        double fontScale,
        double opacity) {

    static final DanmakuSettings DEFAULTS =
            new DanmakuSettings(List.of(), List.of(), false, false, 100, false, 1, 1, 1);

    DanmakuSettings withRules(List<DanmakuRule> next) {
        return new DanmakuSettings(
                next, hiddenModes, hideColored, mergeRepeats, displayArea, subtitleSafe, speed, fontScale, opacity);
    }
}
