package io.barrage.push.room;

/**
 * What the rooms need to know of hot videos spread over several shards (implemented by the {@code spread}
 * package, which reads the spread sets and the other shards' viewer reports).
 */
public interface SpreadView {

    /**
     * Whether this shard takes viewers of a video it does not own: it is in the video's spread set (or still
     * holds viewers of it after the set shrank) and reads the video's partition.
     */
    boolean serves(long videoId);

    /** The video's viewers on the other shards, as they last reported; a report too old counts as none. */
    int elsewhere(long videoId);

    /** Nothing spread: the view of a shard alone, or of tests of one room. */
    SpreadView NONE = new SpreadView() {
        @Override
        public boolean serves(long videoId) {
            return false;
        }

        @Override
        public int elsewhere(long videoId) {
            return 0;
        }
    };
}
