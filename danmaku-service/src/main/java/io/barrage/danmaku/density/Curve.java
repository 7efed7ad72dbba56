package io.barrage.danmaku.density;

import java.util.List;

/** The curve as clients get it: one count per 5-second bucket from 0 to the last non-empty one. */
record Curve(long videoId, long bucketMs, long total, long peak, long[] counts) {

    static Curve of(long videoId, List<long[]> buckets) {
        long[] counts = dense(buckets);
        long total = 0;
        long peak = 0;
        for (long c : counts) {
            total += c;
            peak = Math.max(peak, c);
        }
        return new Curve(videoId, DensityLedger.BUCKET_MS, total, peak, counts);
    }

    static long[] dense(List<long[]> buckets) {
        long[] counts = new long[buckets.isEmpty() ? 0 : (int) buckets.getLast()[0] + 1];
        for (long[] b : buckets) {
            counts[(int) b[0]] = b[1];
        }
        return counts;
    }
}
