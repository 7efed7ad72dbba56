package io.barrage.platform.text;

/**
 * What user text may hold (docs/api.md, "Text"): danmaku, display names, video titles and descriptions.
 *
 * <ul>
 *   <li>{@link Verdict#UNKEEPABLE}: an unpaired surrogate (MariaDB stores it as "?", so what was
 *       acknowledged would not be what is served) or a non-character (U+FDD0..U+FDEF and U+xFFFE/U+xFFFF
 *       on every plane; U+FFFE/U+FFFF are not even allowed in XML, and broke the bilibili export).
 *   <li>{@link Verdict#HIDDEN}: characters that are invisible or change how the text around them is shown:
 *       control characters (Cc; tab and line breaks are allowed in multi-line text), format characters
 *       (Cf: bidi overrides and isolates, zero-width spaces, marks), line and paragraph separators. ZWJ and
 *       ZWNJ are allowed between two visible characters, where emoji sequences and scripts such as Persian
 *       and the Indic ones need them.
 * </ul>
 */
public final class UserText {

    public enum Verdict {
        OK,
        UNKEEPABLE,
        HIDDEN
    }

    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;

    private UserText() {}

    /** True when {@code text} holds only what the policy allows; {@code multiLine} allows tab, CR and LF. */
    public static boolean acceptable(String text, boolean multiLine) {
        return check(text, multiLine) == Verdict.OK;
    }

    /** Why {@code text} may not be stored, or {@link Verdict#OK}. */
    public static Verdict check(String text, boolean multiLine) {
        int previous = -1;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1)))) {
                return Verdict.UNKEEPABLE;
            }
            int codePoint = text.codePointAt(i);
            int end = i + Character.charCount(codePoint);
            int next = end < text.length() ? text.codePointAt(end) : -1;
            if (isNonCharacter(codePoint)) {
                return Verdict.UNKEEPABLE;
            }
            boolean lineBreak = multiLine && (codePoint == '\n' || codePoint == '\r' || codePoint == '\t');
            boolean joiner = (codePoint == ZWJ || codePoint == ZWNJ) && isVisible(previous) && isVisible(next);
            if (isHidden(codePoint) && !lineBreak && !joiner) {
                return Verdict.HIDDEN;
            }
            previous = codePoint;
            i = end;
        }
        return Verdict.OK;
    }

    public static boolean isNonCharacter(int codePoint) {
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
                && Character.getType(codePoint) != Character.SURROGATE
                && !isHidden(codePoint)
                && !Character.isWhitespace(codePoint)
                && !Character.isSpaceChar(codePoint);
    }
}
