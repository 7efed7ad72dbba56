package io.barrage.gateway.shard;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The owner of a video among the push shards. It must agree with push-service's {@code Shards}: the
 * partition Kafka's default partitioner gives the record key (the video id as a decimal string), modulo
 * the shard count. Tests on both sides check the function against a real broker.
 */
public final class PushShards {

    private PushShards() {}

    public static int partitionOf(long videoId, int partitions) {
        byte[] key = Long.toString(videoId).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    public static int ownerOf(long videoId, int partitions, int shards) {
        return partitionOf(videoId, partitions) % shards;
    }

    /** The video id in {@code /ws/v1/videos/{id}} or {@code /api/v1/videos/{id}/online}, or -1. */
    static long videoIdOf(String path) {
        String[] segments = path.split("/");
        for (int i = 0; i + 1 < segments.length; i++) {
            if ("videos".equals(segments[i])) {
                try {
                    long id = Long.parseLong(segments[i + 1]);
                    return id > 0 ? id : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
