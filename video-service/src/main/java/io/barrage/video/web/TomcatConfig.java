package io.barrage.video.web;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class TomcatConfig {

    /**
     * Tomcat writes a large body in pieces of its per-connection socket write buffer (8 KiB by default), one
     * system call each; a proxied video range is written in 64 KiB pieces, so a larger buffer means 8× fewer
     * writes per MiB streamed. It is allocated per open connection, hence not larger still, and the connections are capped
     * ({@code server.tomcat.max-connections}).
     */
    @Bean
    TomcatConnectorCustomizer socketWriteBuffer(TomcatProperties properties) {
        long bytes = properties.socketWriteBuffer().toBytes();
        return connector -> connector.setProperty("socket.appWriteBufSize", Long.toString(bytes));
    }
}
