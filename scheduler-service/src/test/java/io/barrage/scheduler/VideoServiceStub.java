package io.barrage.scheduler;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stands in for video-service's internal API: remembers statuses and records every call. */
final class VideoServiceStub {

    private final String token;
    private final Map<Long, String> statuses = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    private final int port;
    private HttpServer server;

    VideoServiceStub(String token) throws IOException {
        this.token = token;
        this.server = start(0);
        this.port = server.getAddress().getPort();
    }

    String uri() {
        return "http://127.0.0.1:" + port;
    }

    void status(long videoId, String status) {
        statuses.put(videoId, status);
    }

    long calls(String method, long videoId) {
        return calls.stream().filter((method + " " + videoId)::equals).count();
    }

    void stop() {
        server.stop(0);
    }

    private HttpServer start(int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        http.createContext("/internal/v1/videos/", exchange -> {
            try (exchange) {
                if (!token.equals(exchange.getRequestHeaders().getFirst("X-Service-Token"))) {
                    calls.add("UNAUTHENTICATED");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String path = exchange.getRequestURI().getPath();
                long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
                String method = exchange.getRequestMethod();
                calls.add(method + " " + id);
                String status = statuses.get(id);
                if ("GET".equals(method)) {
                    if (status == null) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    byte[] body = ("{\"id\":" + id + ",\"ownerId\":1,\"durationMs\":1000,\"status\":\"" + status
                                    + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } else if ("DELETE".equals(method)) {
                    if (status != null && !"DELETED".equals(status)) {
                        exchange.sendResponseHeaders(409, -1);
                        return;
                    }
                    statuses.remove(id);
                    exchange.sendResponseHeaders(204, -1);
                } else {
                    exchange.sendResponseHeaders(405, -1);
                }
            }
        });
        http.start();
        return http;
    }
}
