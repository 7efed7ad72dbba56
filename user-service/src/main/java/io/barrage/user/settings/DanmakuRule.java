package io.barrage.user.settings;

/**
 * One block rule. {@code type} is {@code keyword} (case-insensitive substring), {@code regex} (RE2 syntax,
 * matched against the whole text, case-sensitive) or {@code user} (a sender's id); a disabled rule is kept
 * but not applied.
 */
record DanmakuRule(String type, String value, boolean enabled) {

    static final String KEYWORD = "keyword";
    static final String REGEX = "regex";
    static final String USER = "user";
}
