package io.barrage.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import redis.embedded.RedisServer;

/**
 * A real redis-server (shipped inside the embedded-redis package), persisting to its data folder, with a
 * password as in Compose and the chart: bound to loopback, but any local process could otherwise read
 * every session and rate bucket.
 */
final class RedisServerHandle implements AutoCloseable {

    private final RedisServer server;
    private final int port;

    private RedisServerHandle(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    static RedisServerHandle start(Path dataDir, int port, String password) throws IOException, TimeoutException {
        Files.createDirectories(dataDir);
        RedisServer server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dataDir.toAbsolutePath())
                .setting("appendonly yes")
                .setting("save 60 1")
                .setting("maxmemory 256mb")
                .setting("daemonize no")
                .setting("requirepass " + password)
                .build();
        server.start();
        LocalPorts.await("redis", Duration.ofSeconds(20), () -> LocalPorts.listening(port));
        return new RedisServerHandle(server, port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws IOException {
        server.stop();
    }
}
