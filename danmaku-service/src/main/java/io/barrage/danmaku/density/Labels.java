package io.barrage.danmaku.density;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a crowd of danmaku is saying: the terms found in the most of them (each danmaku counts once per
 * term, so one spammer repeating a word does not win). Words are runs of letters or digits outside CJK
 * scripts; CJK text has no spaces, so its runs give character n-grams of 2 to {@value #MAX_GRAM} code
 * points, and the longest n-gram nearly as common as its parts wins ("前方高能" rather than "前方", "方高"
 * and "高能").
 */
final class Labels {

    static final int MAX_GRAM = 6;
    /** A longer term replaces a shorter one it contains when it is in at least this share of its danmaku. */
    private static final double LONGER_KEEPS = 0.8;

    private static final Set<String> STOP_WORDS = Set.of(
            "the", "a", "an", "is", "it", "to", "of", "and", "in", "on", "this", "that", "i", "you", "me", "so", "be",
            "are", "was", "my", "for", "at", "with", "just", "what", "its", "im");

    private Labels() {}

    /** Up to {@code max} terms found in at least two of the texts, the most common first. */
    static List<String> top(List<String> texts, int max) {
        Map<String, Integer> df = new HashMap<>();
        for (String text : texts) {
            for (String term : terms(text)) {
                df.merge(term, 1, Integer::sum);
            }
        }
        List<String> candidates = df.entrySet().stream()
                .filter(e -> e.getValue() >= 2)
                .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue)
                        .reversed()
                        .thenComparing(
                                e -> -e.getKey().codePointCount(0, e.getKey().length()))
                        .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey)
                .toList();
        List<String> chosen = new ArrayList<>();
        for (String candidate : candidates) {
            if (chosen.size() == max) {
                break;
            }
            String best = longest(candidate, df);
            if (chosen.stream().noneMatch(c -> c.contains(best) || best.contains(c))) {
                chosen.add(best);
            }
        }
        return chosen;
    }

    /** The longest term containing {@code term} that is in nearly as many danmaku. */
    private static String longest(String term, Map<String, Integer> df) {
        String best = term;
        int floor = (int) Math.ceil(df.get(term) * LONGER_KEEPS);
        for (Map.Entry<String, Integer> e : df.entrySet()) {
            String other = e.getKey();
            if (e.getValue() >= floor && other.length() > best.length() && other.contains(best)) {
                best = other;
            }
        }
        return best;
    }

    /** The distinct terms of one danmaku: lower-cased words, and the n-grams of its CJK runs. */
    static Set<String> terms(String text) {
        String normal = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        Set<String> terms = new HashSet<>();
        int[] cps = normal.codePoints().toArray();
        int i = 0;
        while (i < cps.length) {
            int start = i;
            if (cjk(cps[i])) {
                while (i < cps.length && cjk(cps[i])) {
                    i++;
                }
                for (int from = start; from < i; from++) {
                    for (int n = 2; n <= MAX_GRAM && from + n <= i; n++) {
                        terms.add(new String(cps, from, n));
                    }
                }
                if (i - start == 1) {
                    terms.add(new String(cps, start, 1)); // a lone character ("草") is a word of its own
                }
            } else if (Character.isLetterOrDigit(cps[i])) {
                while (i < cps.length && Character.isLetterOrDigit(cps[i]) && !cjk(cps[i])) {
                    i++;
                }
                String word = new String(cps, start, i - start);
                if (word.length() >= 2 && word.length() <= 30 && !STOP_WORDS.contains(word)) {
                    terms.add(word);
                }
            } else {
                i++;
            }
        }
        return terms;
    }

    private static boolean cjk(int cp) {
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL;
    }
}
