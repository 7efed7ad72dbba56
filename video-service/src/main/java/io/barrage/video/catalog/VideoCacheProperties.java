package io.barrage.video.catalog;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code barrage.video.cache}: how long a cached row lives ({@code ttl}) and a cached "no row" ({@code
 * nullTtl}), the ± fraction TTLs are jittered by, the delay of the second delete after a write, and the
 * size of the Bloom filter of ids that ever existed.
 */
@ConfigurationProperties("barrage.video.cache")
record VideoCacheProperties(Duration ttl, Duration nullTtl, double jitter, Duration secondDelete, IdFilter idFilter) {

    /** The Bloom filter: ids it is sized for, and the false-positive rate at that size. */
    record IdFilter(long expectedInsertions, double falseProbability) {}
}
