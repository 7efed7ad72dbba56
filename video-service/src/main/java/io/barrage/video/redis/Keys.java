package io.barrage.video.redis;

/**
 * Every Redis key video-service writes. Single Redis (no cluster), so multi-key scripts need no hash tags.
 */
public final class Keys {

    /** Cache-aside copy of a {@code video} row (JSON), or {@link #NULL_ENTRY} for an id without a row. */
    public static String meta(long id) {
        return "video:meta:" + id;
    }

    /** Per-key loader lock: one loader per id across instances; writers evict under it too. */
    public static String metaLock(long id) {
        return "video:meta:lock:" + id;
    }

    /** What a cached miss holds. */
    public static final String NULL_ENTRY = "-";

    /**
     * Prefix of the Bloom filter of every id that ever had a row (Redisson RBloomFilter, string-encoded ids);
     * the filter is {@code video:ids:bloom:{generation}}.
     */
    public static final String ID_FILTER = "video:ids:bloom";

    /** The generation of the complete {@link #ID_FILTER}; absent while none is complete. */
    public static final String ID_FILTER_READY = "video:ids:bloom:ready";

    public static final String ID_FILTER_LOCK = "video:ids:bloom:lock";

    /** Hash videoId → views not yet in MariaDB. */
    public static final String VIEWS_PENDING = "video:views:pending";

    /** The deltas one flush is applying (renamed from {@link #VIEWS_PENDING}); field {@link #FLUSH_ID_FIELD}. */
    public static final String VIEWS_FLUSHING = "video:views:flushing";

    public static final String FLUSH_ID_FIELD = "#flush";

    public static final String VIEWS_FLUSH_LOCK = "video:views:flush:lock";

    /** Set while a viewer's view of a video was counted recently (debounce). */
    public static String viewed(long id, String viewer) {
        return "video:viewed:" + id + ":" + viewer;
    }

    /** Sorted set videoId → decayed recent views. */
    public static final String HOT = "video:hot";

    /** Epoch millis of the last decay of {@link #HOT}. */
    public static final String HOT_DECAYED_AT = "video:hot:decayed-at";

    private Keys() {}
}
