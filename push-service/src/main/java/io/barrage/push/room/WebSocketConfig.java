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

    /** Client messages are tiny; a bigger one is refused by the container, which closes with 1009. */
    @Bean
    ServletServerContainerFactoryBean webSocketContainer() {
        ServletServerContainerFactoryBean container = new ServletServerContainerFactoryBean();
        container.setMaxTextMessageBufferSize(properties.maxClientMessageBytes());
        container.setMaxBinaryMessageBufferSize(properties.maxClientMessageBytes());
        return container;
    }
}
