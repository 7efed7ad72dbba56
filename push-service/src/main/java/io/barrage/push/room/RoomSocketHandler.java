package io.barrage.push.room;

import io.barrage.push.PushProperties;
import io.barrage.push.shard.Shards;
import java.io.IOException;
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
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code /ws/v1/videos/{id}[?since={seq}]}: joins the video's room, resuming after {@code since} when
 * given. Clients have nothing to say; a text message only proves they are alive. Input is limited: a
 * message over {@code max-client-message-bytes} closes with 1009 (too big), a binary message with 1003
 * (unsupported data), and more than {@code max-client-messages-per-second} text messages in a second with
 * 1008 (policy violation).
 *
 * <p>Messages arrive in parts ({@link #supportsPartialMessages}): the container's per-connection message
 * buffers are allocated for every connection up front, so they are kept small (see {@link
 * WebSocketConfig}) and the size limit is enforced here, across the parts, instead of by the buffer size.
 */
@Component
class RoomSocketHandler extends AbstractWebSocketHandler {

    static final String PATH_PREFIX = "/ws/v1/videos/";
    static final String SHARD_HEADER = "X-Barrage-Shard";
    private static final String VIDEO_ID = "videoId";
    private static final String SINCE = "since";
    private static final String VIEWER = "viewer";
    private static final String RATE = "rate";

    private final Rooms rooms;
    private final int maxMessagesPerSecond;
    private final int maxMessageBytes;

    RoomSocketHandler(Rooms rooms, PushProperties properties) {
        this.rooms = rooms;
        this.maxMessagesPerSecond = properties.maxClientMessagesPerSecond();
        this.maxMessageBytes = properties.maxClientMessageBytes();
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) {
        long videoId = (Long) session.getAttributes().get(VIDEO_ID);
        Long since = (Long) session.getAttributes().get(SINCE);
        session.getAttributes().put(VIEWER, rooms.join(videoId, session, since));
    }

    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
        if (session.getAttributes().get(VIEWER) instanceof Viewer viewer
                && !viewer.received(message.getPayloadLength(), message.isLast(), maxMessageBytes)) {
            close(session, CloseStatus.TOO_BIG_TO_PROCESS.withReason("message too big"));
            return;
        }
        if (!message.isLast()) {
            return;
        }
        long[] rate = (long[]) session.getAttributes().computeIfAbsent(RATE, k -> new long[] {System.nanoTime(), 0});
        long now = System.nanoTime();
        if (now - rate[0] > 1_000_000_000L) {
            rate[0] = now;
            rate[1] = 0;
        }
        if (++rate[1] > maxMessagesPerSecond) {
            close(session, CloseStatus.POLICY_VIOLATION.withReason("too many messages"));
            return;
        }
        heard(session);
    }

    @Override
    protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) throws IOException {
        close(session, CloseStatus.NOT_ACCEPTABLE.withReason("binary messages are not accepted"));
    }

    /** Through the viewer, whose writer is the only one writing to the session. */
    private static void close(WebSocketSession session, CloseStatus status) throws IOException {
        if (session.getAttributes().get(VIEWER) instanceof Viewer viewer) {
            viewer.close(status);
        } else {
            session.close(status);
        }
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
     * Refuses the upgrade with 400 unless the path ends in a video id (and {@code since}, if given, is a
     * seq: a whole number, 0 or more), and with 421 (Misdirected Request)
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
                String since = UriComponentsBuilder.fromUri(request.getURI())
                        .build()
                        .getQueryParams()
                        .getFirst(SINCE);
                if (since != null) {
                    long seq = Long.parseLong(since);
                    if (seq < 0) {
                        throw new NumberFormatException("negative since");
                    }
                    attributes.put(SINCE, seq);
                }
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
