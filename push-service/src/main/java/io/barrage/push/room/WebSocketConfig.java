package io.barrage.push.room;

import io.barrage.push.PushProperties;
import io.barrage.push.shard.Shards;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.standard.ServletServerContainerFactoryBean;

@Configuration
@EnableWebSocket
class WebSocketConfig implements WebSocketConfigurer {

    private final RoomSocketHandler handler;
    private final PushProperties properties;
    private final Shards shards;

    WebSocketConfig(RoomSocketHandler handler, PushProperties properties, Shards shards) {
        this.handler = handler;
        this.properties = properties;
        this.shards = shards;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(handler, RoomSocketHandler.PATH_PREFIX + "*")
                .addInterceptors(new RoomSocketHandler.VideoIdInterceptor(shards))
                // "*" by default until issue 6/8 gives push-service the gateway's allow-list.
                .setAllowedOriginPatterns(properties.allowedOrigins().toArray(String[]::new));
    }

    /**
     * Tomcat allocates each connection's message buffers when it opens, whether a message ever comes: with
     * the defaults (8 Ki chars of text, 8 KiB binary) they were most of an idle connection's heap. Client
     * messages are tiny and arrive in parts anyway ({@link RoomSocketHandler#supportsPartialMessages}),
     * which checks {@code max-client-message-bytes} across them, so small buffers lose nothing.
     */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(MESSAGE_BUFFER_CHARS);
        container.setMaxBinaryMessageBufferSize(MESSAGE_BUFFER_CHARS);
        return container;
    }

    /** Room for a liveness message in one part; bigger ones arrive in several. */
    static final int MESSAGE_BUFFER_CHARS = 256;
}
