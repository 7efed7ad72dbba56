package io.barrage.user.settings;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.barrage.platform.problem.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Turns what a client sent into a valid, normalised {@link DanmakuSettings}, or a 400 problem naming the
 * field. Regex rules must compile with RE2/J: its matching time is linear in the text, so a pattern a user
 * typed (or imported) can never make a matcher backtrack for ever, here or in the browser's matcher that
 * follows the same syntax.
 */
@Component
class SettingsValidation {

    private static final Set<String> MODES = Set.of("SCROLL", "TOP", "BOTTOM");
    private static final Set<Integer> AREAS = Set.of(100, 75, 50, 25);
    // a user rule names a sender: a Barrage user id, or an imported bilibili sender hash (kept, matches none)
    private static final java.util.regex.Pattern USER_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final DanmakuSettingsProperties limits;

    SettingsValidation(DanmakuSettingsProperties limits) {
        this.limits = limits;
    }

    DanmakuSettings validate(SettingsUpdate update) {
        List<DanmakuRule> rules = new ArrayList<>();
        List<SettingsUpdate.RuleInput> inputs = update.rules() == null ? List.of() : update.rules();
        if (inputs.size() > limits.maxRules()) {
            throw tooManyRules(inputs.size());
        }
        for (int i = 0; i < inputs.size(); i++) {
            SettingsUpdate.RuleInput input = inputs.get(i);
            if (input == null) {
                throw invalid("rules[" + i + "]", "Rule " + (i + 1) + " is empty.");
            }
            rules.add(rule(input.type(), input.value(), input.enabled() == null || input.enabled(), i));
        }
        return new DanmakuSettings(
                distinct(rules),
                modes(update.hiddenModes()),
                Boolean.TRUE.equals(update.hideColored()),
                Boolean.TRUE.equals(update.mergeRepeats()),
                area(update.displayArea()),
                Boolean.TRUE.equals(update.subtitleSafe()),
                range(update.speed(), "speed", 0.5, 2, DanmakuSettings.DEFAULTS.speed()),
                range(update.fontScale(), "fontScale", 0.5, 2, DanmakuSettings.DEFAULTS.fontScale()),
                range(update.opacity(), "opacity", 0.1, 1, DanmakuSettings.DEFAULTS.opacity()));
    }

    /**
     * One rule, checked; {@code index} (0-based) names it in the problem. {@code type} is this API's word
     * (keyword, regex, user).
     */
    DanmakuRule rule(String type, String rawValue, boolean enabled, int index) {
        String field = "rules[" + index + "]";
        String kind = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (!kind.equals(DanmakuRule.KEYWORD) && !kind.equals(DanmakuRule.REGEX) && !kind.equals(DanmakuRule.USER)) {
            throw invalid(field + ".type", "Rule " + (index + 1) + " has no valid type (keyword, regex or user).");
        }
        String value = rawValue == null ? "" : rawValue.strip();
        int length = value.codePointCount(0, value.length());
        if (length == 0 || length > limits.maxRuleLength()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "rule-too-long",
                    "Rule " + (index + 1) + " must be 1 to " + limits.maxRuleLength() + " characters.",
                    field + ".value");
        }
        if (!printable(value)) {
            throw invalid(field + ".value", "Rule " + (index + 1) + " contains control or invalid characters.");
        }
        if (kind.equals(DanmakuRule.REGEX)) {
            try {
                Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new ApiException(
                        HttpStatus.BAD_REQUEST,
                        "invalid-regex",
                        "Rule " + (index + 1) + " (/" + value + "/) is not a valid regular expression: "
                                + e.getDescription() + ".",
                        field + ".value");
            }
        }
        if (kind.equals(DanmakuRule.USER) && !USER_KEY.matcher(value).matches()) {
            throw invalid(field + ".value", "Rule " + (index + 1) + " must name a user id.");
        }
        return new DanmakuRule(kind, value, enabled);
    }

    ApiException tooManyRules(int count) {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                "too-many-rules",
                "At most " + limits.maxRules() + " rules are kept; this would make " + count + ".",
                "rules");
    }

    /** The first of each (type, value) stays; keywords compare ignoring case, as they match. */
    static List<DanmakuRule> distinct(List<DanmakuRule> rules) {
        Set<String> seen = new HashSet<>();
        List<DanmakuRule> kept = new ArrayList<>();
        for (DanmakuRule rule : rules) {
            if (seen.add(key(rule))) {
                kept.add(rule);
            }
        }
        return List.copyOf(kept);
    }

    static String key(DanmakuRule rule) {
        String value = rule.type().equals(DanmakuRule.KEYWORD) ? rule.value().toLowerCase(Locale.ROOT) : rule.value();
        return rule.type() + ':' + value;
    }

    private static List<String> modes(List<String> requested) {
        if (requested == null) {
            return List.of();
        }
        Set<String> modes = new LinkedHashSet<>();
        for (String mode : requested) {
            String upper = mode == null ? "" : mode.toUpperCase(Locale.ROOT);
            if (!MODES.contains(upper)) {
                throw invalid("hiddenModes", "Hidden modes are SCROLL, TOP or BOTTOM.");
            }
            modes.add(upper);
        }
        return List.copyOf(modes);
    }

    private static int area(Integer requested) {
        if (requested == null) {
            return DanmakuSettings.DEFAULTS.displayArea();
        }
        if (!AREAS.contains(requested)) {
            throw invalid("displayArea", "The display area is 100, 75, 50 or 25 (percent).");
        }
        return requested;
    }

    private static double range(Double requested, String field, double min, double max, double fallback) {
        if (requested == null) {
            return fallback;
        }
        if (requested.isNaN() || requested < min || requested > max) {
            throw invalid(field, "'" + field + "' must be between " + min + " and " + max + ".");
        }
        return requested;
    }

    /** No control characters (a rule is one line), no unpaired surrogates, no non-characters. */
    private static boolean printable(String value) {
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (Character.isISOControl(c)
                    || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)
                    || (c >= 0xFDD0 && c <= 0xFDEF)
                    || (c & 0xFFFE) == 0xFFFE) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }

    static ApiException invalid(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-settings", detail, field);
    }
}
