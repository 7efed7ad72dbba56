package io.barrage.push.room;

import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import org.apache.tomcat.websocket.WsRemoteEndpointImplBase;
import org.apache.tomcat.websocket.WsSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;

/**
 * Writes a text frame whose UTF-8 bytes were encoded once, for every viewer of a room.
 *
 * <p>JSR-356 only sends text from characters: Tomcat encodes the same frame again for each viewer (in
 * parts of {@code frame-buffer-bytes}, each its own fragment and socket write) and looks up the blocking
 * send time-out in the session's properties on every send; together that was a quarter of push-service's
 * Java CPU at 500 danmaku/s. Tomcat's own byte path ({@code WsRemoteEndpointImplBase.sendMessageBlock(byte
 * opCode, ByteBuffer, boolean last, long timeout)}, which {@code sendBytes} and {@code sendPing} use) takes a
 * text op-code as well and writes header and payload in one gathering write, but is package-private, so it
 * is reached through a method handle. The time-out is read once per connection, with Tomcat's default.
 *
 * <p>If this Tomcat has no such method (another version), {@link #available()} is false and viewers send
 * through the public API as before; {@code EncodedTextTest} fails in that case so an upgrade notices.
 */
final class EncodedText {

    private static final Logger log = LoggerFactory.getLogger(EncodedText.class);
    private static final byte OPCODE_TEXT = 0x1;
    /** Tomcat's {@code Constants.BLOCKING_SEND_TIMEOUT_PROPERTY} and its default. */
    private static final String TIMEOUT_PROPERTY = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private static final long DEFAULT_TIMEOUT_MILLIS = 20_000;

    private static final MethodHandle ENDPOINT;
    private static final MethodHandle SEND;

    static {
        MethodHandle endpoint = null;
        MethodHandle send = null;
        try {
            endpoint = MethodHandles.privateLookupIn(WsSession.class, MethodHandles.lookup())
                    .findGetter(WsSession.class, "wsRemoteEndpoint", WsRemoteEndpointImplBase.class);
            send = MethodHandles.privateLookupIn(WsRemoteEndpointImplBase.class, MethodHandles.lookup())
                    .findVirtual(
                            WsRemoteEndpointImplBase.class,
                            "sendMessageBlock",
                            MethodType.methodType(void.class, byte.class, ByteBuffer.class, boolean.class, long.class));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.warn("frames are encoded per viewer: Tomcat's byte send path is not reachable ({})", e.toString());
            endpoint = null;
            send = null;
        }
        ENDPOINT = endpoint;
        SEND = send;
    }

    private final WsRemoteEndpointImplBase endpoint;
    private final long timeoutMillis;

    private EncodedText(WsRemoteEndpointImplBase endpoint, long timeoutMillis) {
        this.endpoint = endpoint;
        this.timeoutMillis = timeoutMillis;
    }

    static boolean available() {
        return SEND != null;
    }

    /** The writer for this session's connection, or null if it is not a Tomcat one (then use the session). */
    static EncodedText of(WebSocketSession session) {
        if (SEND == null
                || !(session instanceof NativeWebSocketSession nativeSession)
                || !(nativeSession.getNativeSession() instanceof WsSession wsSession)) {
            return null;
        }
        try {
            WsRemoteEndpointImplBase endpoint = (WsRemoteEndpointImplBase) ENDPOINT.invokeExact(wsSession);
            return new EncodedText(endpoint, timeoutOf(wsSession));
        } catch (Throwable e) {
            log.debug("session {} sends through the public API: {}", session.getId(), e.toString());
            return null;
        }
    }

    private static long timeoutOf(Session session) {
        return session.getUserProperties().get(TIMEOUT_PROPERTY) instanceof Long timeout
                ? timeout
                : DEFAULT_TIMEOUT_MILLIS;
    }

    /** One whole text frame; blocks until the socket took it, like the container's blocking send. */
    void send(byte[] utf8) throws IOException {
        try {
            SEND.invokeExact(endpoint, OPCODE_TEXT, ByteBuffer.wrap(utf8), true, timeoutMillis);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}
