package io.barrage.video.playback;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One byte range of a representation of {@code size} bytes, inclusive at both ends. */
record ByteRange(long first, long last) {

    enum Outcome {
        /** Answer 206 with {@link #range}. */
        PARTIAL,
        /** Answer the whole representation (no, malformed or multiple ranges). */
        WHOLE,
        /** Answer 416. */
        UNSATISFIABLE
    }

    record Parsed(Outcome outcome, ByteRange range) {}

    private static final Pattern SPEC = Pattern.compile("(\\d*)-(\\d*)");

    long length() {
        return last - first + 1;
    }

    /**
     * RFC 9110 section 14: a syntactically invalid Range is ignored; multiple ranges may be answered
     * with the whole representation, which is what we do until multipart/byteranges is needed.
     */
    static Parsed parse(String header, long size) {
        String value = header.trim();
        if (!value.toLowerCase(Locale.ROOT).startsWith("bytes=")) {
            return new Parsed(Outcome.WHOLE, null);
        }
        String spec = value.substring("bytes=".length()).trim();
        if (spec.contains(",")) {
            return new Parsed(Outcome.WHOLE, null);
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return new Parsed(Outcome.WHOLE, null);
        }
        if (m.group(1).isEmpty()) {
            long suffix = number(m.group(2));
            if (suffix == 0 || size == 0) {
                return new Parsed(Outcome.UNSATISFIABLE, null);
            }
            return new Parsed(Outcome.PARTIAL, new ByteRange(Math.max(0, size - suffix), size - 1));
        }
        long first = number(m.group(1));
        long last = m.group(2).isEmpty() ? Long.MAX_VALUE : number(m.group(2));
        if (last < first) {
            return new Parsed(Outcome.WHOLE, null);
        }
        if (first >= size) {
            return new Parsed(Outcome.UNSATISFIABLE, null);
        }
        return new Parsed(Outcome.PARTIAL, new ByteRange(first, Math.min(last, size - 1)));
    }

    private static long number(String digits) {
        // more digits than a long holds is "beyond any object we store"
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }
}
