package io.barrage.push.room;

import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.TextMessage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The server-to-client frames of docs/api.md. */
@Component
class Frames {

    private final JsonMapper json;

    Frames(JsonMapper json) {
        this.json = json;
    }

    TextMessage danmaku(List<JsonNode> items) {
        ObjectNode frame = json.createObjectNode();
        frame.put("type", "danmaku");
        frame.putArray("items").addAll(items);
        return new TextMessage(json.writeValueAsString(frame));
    }

    TextMessage online(int count) {
        return new TextMessage("{\"type\":\"online\",\"count\":" + count + "}");
    }
}
