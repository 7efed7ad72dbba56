package io.barrage.push.room;

import java.util.List;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The server-to-client frames of docs/api.md, each encoded once for all the viewers it goes to. */
@Component
class Frames {

    private final JsonMapper json;

    Frames(JsonMapper json) {
        this.json = json;
    }

    /** The items are JSON already; the frame is put together around them. */
    static Outbound danmaku(List<Item> items) {
        StringBuilder frame = new StringBuilder(32 + items.size() * 256).append("{\"type\":\"danmaku\",\"items\":[");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                frame.append(',');
            }
            frame.append(items.get(i).json());
        }
        return new Outbound(Wire.text(frame.append("]}").toString()), List.copyOf(items));
    }

    Outbound deleted(List<String> ids) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", "deleted");
        ArrayNode array = frame.putArray("ids");
        ids.forEach(array::add);
        return Outbound.control(Wire.text(json.writeValueAsString(frame)));
    }

    /** {@code toSeq} 0 means the end of the gap is not known (the history of the video could not be read). */
    static Outbound gap(long fromSeq, long toSeq) {
        return Outbound.control(
                Wire.text("{\"type\":\"gap\",\"fromSeq\":" + fromSeq + (toSeq > 0 ? ",\"toSeq\":" + toSeq : "") + "}"));
    }

    static Outbound online(int count) {
        return Outbound.control(Wire.text("{\"type\":\"online\",\"count\":" + count + "}"));
    }
}
