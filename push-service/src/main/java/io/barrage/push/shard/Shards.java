package io.barrage.push.shard;

import io.barrage.push.PushProperties;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * This instance's place among the push shards ({@code barrage.push.shard-index} of
 * {@code barrage.push.shard-count}; on Kubernetes the index is the StatefulSet ordinal).
 *
 * <p>A video belongs to the shard {@code partition(videoId) % count}, where {@code partition} is what
 * Kafka's default partitioner picks for the record key (the video id as a decimal string): murmur2 of the
 * key, made positive, modulo the topic's partition count. So a shard that reads only the partitions
 * {@code p} with {@code p % count == index} receives every danmaku of its videos and none of another
 * shard's. The partition count is the topic's, read from Kafka once the feed is positioned.
 */
@Component
public class Shards {

    private final int index;
    private final int count;
    private volatile int partitions;

    @Autowired
    Shards(PushProperties properties) {
        this(properties.shardIndex(), properties.shardCount());
    }

    public Shards(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException(
                    "barrage.push.shard-index must be in [0, shard-count); got " + index + " of " + count);
        }
        this.index = index;
        this.count = count;
    }

    /** The partition Kafka's default partitioner gives a record keyed by this video id. */
    public static int partitionOf(long videoId, int partitions) {
        byte[] key = Long.toString(videoId).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    public static int ownerOf(long videoId, int partitions, int shards) {
        return partitionOf(videoId, partitions) % shards;
    }

    /** Called by the feed once it knows the topic's partition count. */
    public void partitions(int partitions) {
        if (partitions < count) {
            throw new IllegalStateException(
                    "danmaku.events has " + partitions + " partitions, fewer than the " + count + " push shards");
        }
        this.partitions = partitions;
    }

    /** This video's partition of danmaku.events (known once the feed is positioned). */
    public int partitionOf(long videoId) {
        int known = partitions;
        if (known == 0) {
            throw new IllegalStateException("the partition count is not known before the feed is positioned");
        }
        return partitionOf(videoId, known);
    }

    public boolean ownsPartition(int partition) {
        return partition % count == index;
    }

    /** The shard that serves this video's viewers. */
    public int ownerOf(long videoId) {
        if (count == 1) {
            return 0;
        }
        int known = partitions;
        if (known == 0) {
            throw new IllegalStateException("the shard map is not known before the feed is positioned");
        }
        return ownerOf(videoId, known, count);
    }

    public boolean owns(long videoId) {
        return ownerOf(videoId) == index;
    }

    public int index() {
        return index;
    }

    public int count() {
        return count;
    }
}
