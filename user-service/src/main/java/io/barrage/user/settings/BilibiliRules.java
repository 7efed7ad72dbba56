package io.barrage.user.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * bilibili's block-list JSON, as its web player exports it: an array of {@code {"type":0,"filter":"…",
 * "opened":true,"id":15628936}}, type 0 text (our keyword), 1 regex, 2 user (bilibili's sender hash; ours
 * is the sender's id). Its API wraps the same entries as {@code {"rule":[…]}} (or under {@code data}),
 * which is accepted too. A regex typed the way bilibili's box takes it, {@code /…/}, loses its slashes.
 */
final class BilibiliRules {

    private static final String[] TYPES = {DanmakuRule.KEYWORD, DanmakuRule.REGEX, DanmakuRule.USER};

    private BilibiliRules() {}

    /** The entries of a bilibili file, in order, checked by {@code validation}; the index names a bad one. */
    static List<DanmakuRule> parse(JsonNode root, SettingsValidation validation, int maxEntries) {
        JsonNode entries = root;
        if (root.isObject()) {
            entries = root.path("data").isObject() ? root.path("data").path("rule") : root.path("rule");
        }
        if (!entries.isArray()) {
            throw SettingsValidation.invalid(
                    "rule",
                    "A bilibili rule file is a JSON array of {type, filter, opened} (or an object with 'rule').");
        }
        if (entries.size() > maxEntries) {
            throw validation.tooManyRules(entries.size());
        }
        List<DanmakuRule> rules = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            JsonNode type = entry.path("type");
            if (!type.isIntegralNumber() || type.asInt() < 0 || type.asInt() > 2) {
                throw SettingsValidation.invalid(
                        "rules[" + i + "].type", "Rule " + (i + 1) + " has no valid type (0 text, 1 regex, 2 user).");
            }
            String kind = TYPES[type.asInt()];
            JsonNode filter = entry.path("filter");
            String value = filter.isString() || filter.isNumber() ? filter.asString() : null;
            if (kind.equals(DanmakuRule.REGEX) && value != null) {
                value = withoutSlashes(value.strip());
            }
            boolean opened =
                    !entry.path("opened").isBoolean() || entry.path("opened").asBoolean();
            rules.add(validation.rule(kind, value, opened, i));
        }
        return rules;
    }

    /** Our rules as bilibili's web player exports them; ids are positions, since ours have none. */
    static List<Map<String, Object>> export(List<DanmakuRule> rules) {
        List<Map<String, Object>> out = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            DanmakuRule rule = rules.get(i);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("type", typeOf(rule.type()));
            entry.put("filter", rule.value());
            entry.put("opened", rule.enabled());
            entry.put("id", i + 1);
            out.add(entry);
        }
        return out;
    }

    private static int typeOf(String kind) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i].equals(kind)) {
                return i;
            }
        }
        throw new IllegalArgumentException(kind);
    }

    private static String withoutSlashes(String value) {
        return value.length() > 2 && value.startsWith("/") && value.endsWith("/")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
