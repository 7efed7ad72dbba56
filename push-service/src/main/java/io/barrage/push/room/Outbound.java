package io.barrage.push.room;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * A frame on its way to viewers, as the bytes that go on the wire ({@link Wire}). A danmaku frame keeps its
 * items, so a viewer can drop what it already has (by seq) and a slow viewer's skipped frames can be
 * reported as a seq range.
 */
record Outbound(ByteBuf wire, List<Item> items) {

    static Outbound control(ByteBuf wire) {
        return new Outbound(wire, null);
    }

    boolean isDanmaku() {
        return items != null;
    }

    long firstSeq() {
        return items.getFirst().seq();
    }

    long lastSeq() {
        return items.getLast().seq();
    }

    int bytes() {
        return wire.readableBytes();
    }
}
