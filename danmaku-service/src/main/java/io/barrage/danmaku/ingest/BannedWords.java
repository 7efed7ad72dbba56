package io.barrage.danmaku.ingest;

import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;

/**
 * Aho–Corasick over the configured {@code barrage.danmaku.banned-words}: one pass over the text finds any
 * of them, however long the list. Both the words and the text are normalised with NFKC (full-width
 * {@code ＡＢＣ} becomes {@code ABC}, compatibility forms fold) and lower-cased, so a word cannot be
 * smuggled in with another case or width.
 */
class BannedWords {

    private static final class Node {
        final Map<Character, Node> next = new HashMap<>(4);
        Node fail;
        String match; // the longest banned word ending here (directly or through the fail chain)
    }

    private final Node root = new Node();

    BannedWords(List<String> words) {
        for (String word : words) {
            String normal = normalise(word.strip());
            if (normal.isEmpty()) {
                continue;
            }
            Node node = root;
            for (char c : normal.toCharArray()) {
                node = node.next.computeIfAbsent(c, k -> new Node());
            }
            node.match = normal;
        }
        link();
    }

    static String normalise(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    }

    /** The first banned word (normalised) found in {@code text}, or null. */
    String find(String text) {
        Node node = root;
        for (char c : normalise(text).toCharArray()) {
            while (node != root && !node.next.containsKey(c)) {
                node = node.fail;
            }
            node = node.next.getOrDefault(c, root);
            if (node.match != null) {
                return node.match;
            }
        }
        return null;
    }

    private void link() {
        Queue<Node> queue = new ArrayDeque<>();
        root.fail = root;
        for (Node child : root.next.values()) {
            child.fail = root;
            queue.add(child);
        }
        while (!queue.isEmpty()) {
            Node node = queue.remove();
            for (Map.Entry<Character, Node> edge : node.next.entrySet()) {
                Node child = edge.getValue();
                Node fail = node.fail;
                while (fail != root && !fail.next.containsKey(edge.getKey())) {
                    fail = fail.fail;
                }
                Node target = fail.next.get(edge.getKey());
                child.fail = target != null && target != child ? target : root;
                if (child.match == null) {
                    child.match = child.fail.match;
                }
                queue.add(child);
            }
        }
    }
}
