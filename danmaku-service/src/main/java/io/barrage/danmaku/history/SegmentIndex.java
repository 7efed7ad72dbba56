package io.barrage.danmaku.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The segments of a video that hold danmaku, ascending, as cached in Redis: {@code "0,1,240"}, with a
 * trailing {@code "+"} when there are more than were listed, and {@code ""} for none.
 */
record SegmentIndex(List<Long> segments, boolean truncated) {

    static SegmentIndex of(List<Long> found, int limit) {
        return found.size() > limit
                ? new SegmentIndex(List.copyOf(found.subList(0, limit)), true)
                : new SegmentIndex(List.copyOf(found), false);
    }

    static SegmentIndex parse(String value) {
        boolean truncated = value.endsWith("+");
        String list = truncated ? value.substring(0, value.length() - 1) : value;
        List<Long> segments = new ArrayList<>();
        if (!list.isEmpty()) {
            for (String n : list.split(",")) {
                segments.add(Long.parseLong(n));
            }
        }
        return new SegmentIndex(List.copyOf(segments), truncated);
    }

    long lastListed() {
        return segments.getLast();
    }

    /** False when segment {@code n} certainly holds nothing. */
    boolean mayHold(long n) {
        if (truncated && (segments.isEmpty() || n > lastListed())) {
            return true;
        }
        return Collections.binarySearch(segments, n) >= 0;
    }

    @Override
    public String toString() {
        StringBuilder value = new StringBuilder();
        for (long n : segments) {
            value.append(value.isEmpty() ? "" : ",").append(n);
        }
        return truncated ? value.append('+').toString() : value.toString();
    }
}
