package io.barrage.push.web;

import io.barrage.push.PushProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * What an idle WebSocket connection costs in heap. A push shard holds tens of thousands of connections
 * that mostly sit idle (a frame a few times a second, a ping every 25 s), so the buffers Tomcat allocates
 * per connection when it opens, sized for request/response traffic, dominate: 8 KiB each for the socket's
 * read and write buffers ({@code barrage.push.io-buffer-bytes}), and 8 KiB each for the WebSocket frame
 * reader's input and the writer's output and encoding buffers ({@code barrage.push.frame-buffer-bytes}).
 * Anything bigger than a buffer still goes through, in more than one piece: the socket buffers only
 * stage the HTTP upgrade and client messages (WebSocket frames are written with a gathering write from
 * their own buffers), and a text frame bigger than the WebSocket encoding buffer is sent as a fragmented
 * message (a text frame and continuation frames, one write each), which every WebSocket client
 * reassembles. We keep the buffers on the heap: this is about what a connection holds, not where.
 */
@Component
class ConnectionMemory implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    /** Read once, by Tomcat's WebSocket Constants class, which is loaded when the server starts. */
    static final String WEBSOCKET_BUFFER_PROPERTY = "org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE";

    private final int bytes;

    ConnectionMemory(PushProperties properties) {
        this.bytes = properties.ioBufferBytes();
        // Before the server starts; an explicit -D wins. JVM-wide, which is fine for a process that is a
        // push shard (tests start several with the same value).
        if (System.getProperty(WEBSOCKET_BUFFER_PROPERTY) == null) {
            System.setProperty(WEBSOCKET_BUFFER_PROPERTY, Integer.toString(properties.frameBufferBytes()));
        }
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            connector.setProperty("socket.appReadBufSize", Integer.toString(bytes));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(bytes));
        });
    }
}
