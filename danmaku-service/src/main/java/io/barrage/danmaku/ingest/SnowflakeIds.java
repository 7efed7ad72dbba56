package io.barrage.danmaku.ingest;

import java.time.Instant;

/**
 * 64-bit time-ordered ids: 41 bits of milliseconds since 2026-01-01 (good for ~69 years), 10 bits of
 * worker id (one per running instance, from {@code barrage.danmaku.worker-id}) and a 12-bit sequence
 * within the millisecond.
 */
public class SnowflakeIds {

    static final long EPOCH_MS = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final int WORKER_BITS = 10;
    private static final int SEQUENCE_BITS = 12;
    private static final long MAX_WORKER = (1L << WORKER_BITS) - 1;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;

    private final long workerId;
    private long lastMs = -1;
    private long sequence;

    /**
     * Two instances with the same worker id can mint the same id in the same millisecond, and the second
     * row would then be ignored as a duplicate: every replica needs its own. Unless configured, it is the
     * ordinal at the end of the host name (a StatefulSet pod {@code danmaku-service-2} is worker 2).
     */
    SnowflakeIds(long workerId) {
        if (workerId < 0 || workerId > MAX_WORKER) {
            throw new IllegalArgumentException("barrage.danmaku.worker-id must be 0.." + MAX_WORKER);
        }
        this.workerId = workerId;
    }

    /** When an id was minted (to the millisecond). */
    public static Instant mintedAt(long id) {
        return Instant.ofEpochMilli((id >>> (WORKER_BITS + SEQUENCE_BITS)) + EPOCH_MS);
    }

    /** The trailing number of {@code HOSTNAME} (0–1023), or 0 when there is none. */
    public static long hostOrdinal() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("-(\\d{1,4})$").matcher(host);
        return m.find() ? Long.parseLong(m.group(1)) % (MAX_WORKER + 1) : 0;
    }

    synchronized long next() {
        // If the clock steps back we keep issuing from the last millisecond rather than repeat an id.
        long now = Math.max(System.currentTimeMillis() - EPOCH_MS, lastMs);
        if (now == lastMs) {
            sequence = (sequence + 1) & SEQUENCE_MASK;
            if (sequence == 0) {
                now = lastMs + 1; // 4096 ids this millisecond: borrow the next one
            }
        } else {
            sequence = 0;
        }
        lastMs = now;
        return (now << (WORKER_BITS + SEQUENCE_BITS)) | (workerId << SEQUENCE_BITS) | sequence;
    }
}
