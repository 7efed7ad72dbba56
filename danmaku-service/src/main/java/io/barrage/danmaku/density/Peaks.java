package io.barrage.danmaku.density;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the buckets where the curve stands well above its surroundings: at least {@code minDanmaku}, at
 * least {@code factor} times the mean of the {@code neighbourhood} buckets on each side (itself excluded),
 * and the highest within two buckets either way (so one burst spread over adjacent buckets is one moment).
 * The {@code max} strongest (by how far they rise above their neighbourhood) are returned in time order.
 */
final class Peaks {

    private Peaks() {}

    record Peak(int bucket, long danmaku) {}

    static List<Peak> find(long[] counts, int neighbourhood, long minDanmaku, double factor, int max) {
        record Scored(Peak peak, double rise) {}
        List<Scored> found = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            long c = counts[i];
            if (c < minDanmaku || !highestNearby(counts, i)) {
                continue;
            }
            long sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - neighbourhood); j <= Math.min(counts.length - 1, i + neighbourhood); j++) {
                if (j != i) {
                    sum += counts[j];
                    n++;
                }
            }
            double mean = n == 0 ? 0 : (double) sum / n;
            if (c >= factor * mean) {
                found.add(new Scored(new Peak(i, c), c - mean));
            }
        }
        return found.stream()
                .sorted(Comparator.comparingDouble(Scored::rise).reversed())
                .limit(max)
                .map(Scored::peak)
                .sorted(Comparator.comparingInt(Peak::bucket))
                .toList();
    }

    /** Highest within two buckets; of equal neighbours the first wins. */
    private static boolean highestNearby(long[] counts, int i) {
        for (int j = Math.max(0, i - 2); j <= Math.min(counts.length - 1, i + 2); j++) {
            if (counts[j] > counts[i] || (counts[j] == counts[i] && j < i)) {
                return false;
            }
        }
        return true;
    }
}
