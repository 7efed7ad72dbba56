package io.barrage.user.account;

/**
 * What user text may hold (docs/api.md, "Text"); the same rules as danmaku, video titles and descriptions. Refused:
 * unpaired surrogates and non-characters (U+FDD0..U+FDEF, U+xFFFE/U+xFFFF on every plane), which the store
 * cannot keep or XML cannot carry; control characters (except tab and line breaks in multi-line text);
 * format characters (bidi overrides and isolates, zero-width spaces, marks) and line/paragraph separators,
 * which hide text or change how the text around it is shown. ZWJ and ZWNJ are allowed between two visible
 * characters, where emoji sequences and scripts such as Persian and the Indic ones need them.
 */
final class UserText {

    private static final int ZWNJ = 0x200C;
    private static final int ZWJ = 0x200D;

    private UserText() {}

    /** True when {@code text} holds only what the policy allows; {@code multiLine} allows tab, CR and LF. */
    static boolean acceptable(String text, boolean multiLine) {
        int previous = -1;
        for (int i = 0; i < text.length(); ) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1)))) {
                return false;
            }
            int codePoint = text.codePointAt(i);
            int end = i + Character.charCount(codePoint);
            int next = end < text.length() ? text.codePointAt(end) : -1;
            if (isNonCharacter(codePoint)) {
                return false;
            }
            boolean lineBreak = multiLine && (codePoint == '\n' || codePoint == '\r' || codePoint == '\t');
            boolean joiner = (codePoint == ZWJ || codePoint == ZWNJ) && isVisible(previous) && isVisible(next);
            if (isHidden(codePoint) && !lineBreak && !joiner) {
                return false;
            }
            previous = codePoint;
            i = end;
        }
        return true;
    }

    private static boolean isNonCharacter(int codePoint) {
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
