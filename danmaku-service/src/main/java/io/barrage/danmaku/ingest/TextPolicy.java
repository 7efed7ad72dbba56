package io.barrage.danmaku.ingest;

/**
 * What user text may hold (docs/api.md, "Text"), the same rules as video titles and display names:
 *
 * <ul>
 *   <li>{@link Verdict#UNKEEPABLE}: an unpaired surrogate (MariaDB stores it as "?", so what was
 *       acknowledged would not be what is served) or a non-character (U+FDD0..U+FDEF and U+xFFFE/U+xFFFF
 *       on every plane; U+FFFE/U+FFFF are not even allowed in XML, and broke the bilibili export).
 *   <li>{@link Verdict#HIDDEN}: characters that are invisible or change how the text around them is shown:
 *       control characters (Cc), format characters (Cf: bidi overrides and isolates, zero-width spaces,
 *       marks), line and paragraph separators. The exception is ZWJ and ZWNJ between two visible
 *       characters, which emoji sequences and scripts such as Persian and the Indic ones need inside words.
 * </ul>
 */
final class TextPolicy {

    enum Verdict {
        OK,
        UNKEEPABLE,
        HIDDEN
    }

    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;

    private TextPolicy() {}

    static Verdict check(String text) {
        int previous = -1;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            int codePoint;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                codePoint = Character.toCodePoint(c, text.charAt(i + 1));
            } else if (Character.isSurrogate(c)) {
                return Verdict.UNKEEPABLE;
            } else {
                codePoint = c;
            }
            if (isNonCharacter(codePoint)) {
                return Verdict.UNKEEPABLE;
            }
            int next = i + Character.charCount(codePoint) < text.length()
                    ? text.codePointAt(i + Character.charCount(codePoint))
                    : -1;
            if (isHidden(codePoint)
                    && !((codePoint == ZWJ || codePoint == ZWNJ) && isVisible(previous) && isVisible(next))) {
                return Verdict.HIDDEN;
            }
            previous = codePoint;
            i += Character.charCount(codePoint);
        }
        return Verdict.OK;
    }

    static boolean isNonCharacter(int codePoint) {
        return (codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE;
    }

    private static boolean isHidden(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }

    private static boolean isVisible(int codePoint) {
        return codePoint >= 0
                && !Character.isSurrogate((char) codePoint)
                && !isHidden(codePoint)
                && !Character.isWhitespace(codePoint)
                && !Character.isSpaceChar(codePoint);
    }
}
