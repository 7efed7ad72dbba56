package io.barrage.push.spread;

import java.util.List;

/**
 * Where a hot video's new viewers may go: its owner and the next shards ({@code shards}, the owner first).
 * One shard alone means the set is closed. {@code version} fences it: a reader applies a set only if its
 * version is above the one it holds, so a late or replayed record never brings an old set back.
 */
public record SpreadSet(long videoId, int owner, List<Integer> shards, long version) {

    public boolean spread() {
        return shards.size() > 1;
    }

    public boolean includes(int shard) {
        return shards.contains(shard);
    }

    /** The owner and the next {@code size - 1} shards, wrapping around. */
    static List<Integer> of(int owner, int size, int count) {
        return java.util.stream.IntStream.range(0, size)
                .mapToObj(i -> (owner + i) % count)
                .toList();
    }
}
