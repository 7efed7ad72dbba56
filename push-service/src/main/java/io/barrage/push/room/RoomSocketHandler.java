package io.barrage.push.room;

import io.barrage.push.shard.Shards;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.AbstractWebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * {@code /ws/v1/videos/{id}}: joins the video's room. Clients have nothing to say yet; what they send only
 * proves they are alive (oversized messages are refused by the container with 1009).
 */
@Component
class RoomSocketHandler extends AbstractWebSocketHandler {

    static final String PATH_PREFIX = "/ws/v1/videos/";
    static final String SHARD_HEADER = "X-Barrage-Shard";
    private static final String VIDEO_ID = "videoId";
    private static final String VIEWER = "viewer";

    private final Rooms rooms;

    RoomSocketHandler(Rooms rooms) {
        this.rooms = rooms;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        long videoId = (Long) session.getAttributes().get(VIDEO_ID);
        session.getAttributes().put(VIEWER, rooms.join(videoId, session));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        heard(session);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
        heard(session);
    }

    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        heard(session);
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        if (session.getAttributes().get(VIEWER) instanceof Viewer viewer) {
            rooms.leave(viewer);
        }
    }

    private static void heard(WebSocketSession session) {
        if (session.getAttributes().get(VIEWER) instanceof Viewer viewer) {
            viewer.heard();
        }
    }

    /**
     * Refuses the upgrade with 400 unless the path ends in a video id, and with 421 (Misdirected Request)
     * and the owner's index in {@code X-Barrage-Shard} if another shard serves that video: during a rollout
     * a viewer may reach the wrong shard, and must be told rather than silently served nothing.
     */
    static final class VideoIdInterceptor implements HandshakeInterceptor {

        private final Shards shards;

        VideoIdInterceptor(Shards shards) {
            this.shards = shards;
        }

        @Override
        public boolean beforeHandshake(
                ServerHttpRequest request,
                ServerHttpResponse response,
                WebSocketHandler handler,
                Map<String, Object> attributes) {
            String path = request.getURI().getPath();
            try {
                long videoId = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
                if (videoId > 0 && path.startsWith(PATH_PREFIX)) {
                    if (!shards.owns(videoId)) {
                        response.setStatusCode(HttpStatusCode.valueOf(421));
                        response.getHeaders().set(SHARD_HEADER, Integer.toString(shards.ownerOf(videoId)));
                        return false;
                    }
                    attributes.put(VIDEO_ID, videoId);
                    return true;
                }
            } catch (NumberFormatException ignored) {
                // answered below
            }
            response.setStatusCode(HttpStatus.BAD_REQUEST);
            return false;
        }

        @Override
        public void afterHandshake(
                ServerHttpRequest request,
                ServerHttpResponse response,
                WebSocketHandler handler,
                Exception exception) {}
    }
}
