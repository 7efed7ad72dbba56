package io.barrage.push.room;

import java.util.List;
import org.springframework.web.socket.WebSocketMessage;

/**
 * A frame on its way to viewers. A danmaku frame keeps its items, so a viewer can drop what it already has
 * (by seq) and a slow viewer's skipped frames can be reported as a seq range.
 */
record Outbound(WebSocketMessage<?> message, List<Item> items) {

    static Outbound control(WebSocketMessage<?> message) {
        return new Outbound(message, null);
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
        return message.getPayloadLength();
    }
}
