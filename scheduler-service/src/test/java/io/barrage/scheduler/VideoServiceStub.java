package io.barrage.scheduler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for the internal APIs the scheduler calls, as their contracts say, and records every call:
 * video-service ({@code GET|DELETE /internal/v1/videos/{id}}, its job endpoints), danmaku-service
 * ({@code DELETE /internal/v1/videos/{id}/danmaku?batch=N} → {@code {"deleted": n}}, at most N per call,
 * 0 when none are left) and user-service ({@code POST /internal/v1/jobs/session-purge}). One server
 * plays all three; the tests point each service's discovery entry at it.
 */
public final class VideoServiceStub {

    private static final Pattern VIDEO = Pattern.compile("/internal/v1/videos/(\\d+)");
    private static final Pattern DANMAKU = Pattern.compile("/internal/v1/videos/(\\d+)/danmaku");
    private static final Pattern JOB = Pattern.compile("/internal/v1/jobs/([a-z-]+)");
    private static final Pattern BATCH = Pattern.compile("(?:^|&)batch=(\\d+)");

    private final String token;
    private final Map<Long, String> statuses = new ConcurrentHashMap<>();
    private final Map<Long, Long> danmaku = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile boolean jobsDown;
    private volatile long deleteDelayMillis;
    private HttpServer server;

    public VideoServiceStub(String token) throws IOException {
        this.token = token;
        this.server = start(0);
        this.port = server.getAddress().getPort();
    }

    public String uri() {
        return "http://127.0.0.1:" + port;
    }

    public void status(long videoId, String status) {
        statuses.put(videoId, status);
    }

    /** The video's row as video-service would answer it, or null once purged. */
    public String status(long videoId) {
        return statuses.get(videoId);
    }

    public void danmaku(long videoId, long count) {
        danmaku.put(videoId, count);
    }

    public long danmakuLeft(long videoId) {
        return danmaku.getOrDefault(videoId, 0L);
    }

    /** Job endpoints answer 503, as an owner that is down. */
    public void jobsDown(boolean down) {
        jobsDown = down;
    }

    /** Slows each row purge, so that concurrent purgers overlap. */
    public void deleteDelay(long millis) {
        deleteDelayMillis = millis;
    }

    public long calls(String method, long videoId) {
        return calls.stream().filter((method + " " + videoId)::equals).count();
    }

    public long calls(String call) {
        return calls.stream().filter(call::equals).count();
    }

    public void stop() {
        server.stop(0);
    }

    private HttpServer start(int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/internal/v1/", exchange -> {
            try (exchange) {
                if (!token.equals(exchange.getRequestHeaders().getFirst("X-Service-Token"))) {
                    calls.add("UNAUTHENTICATED");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod();
                Matcher m;
                if ((m = DANMAKU.matcher(path)).matches() && "DELETE".equals(method)) {
                    purgeDanmaku(exchange, Long.parseLong(m.group(1)));
                } else if ((m = VIDEO.matcher(path)).matches()) {
                    video(exchange, method, Long.parseLong(m.group(1)));
                } else if ((m = JOB.matcher(path)).matches() && "POST".equals(method)) {
                    calls.add("JOB " + m.group(1));
                    if (jobsDown) {
                        exchange.sendResponseHeaders(503, -1);
                    } else {
                        json(exchange, 200, "{\"items\":3}");
                    }
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        http.start();
        return http;
    }

    private void purgeDanmaku(HttpExchange exchange, long id) throws IOException {
        String query = exchange.getRequestURI().getRawQuery();
        Matcher batch = BATCH.matcher(query == null ? "" : query);
        if (!batch.find()) {
            exchange.sendResponseHeaders(400, -1);
            return;
        }
        long max = Long.parseLong(batch.group(1));
        long[] deleted = new long[1];
        danmaku.compute(id, (k, left) -> {
            long have = left == null ? 0 : left;
            deleted[0] = Math.min(have, max);
            return have - deleted[0];
        });
        calls.add("DANMAKU " + id + " " + deleted[0]);
        json(exchange, 200, "{\"deleted\":" + deleted[0] + "}");
    }

    private void video(HttpExchange exchange, String method, long id) throws IOException {
        calls.add(method + " " + id);
        String status = statuses.get(id);
        if ("GET".equals(method)) {
            if (status == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            json(exchange, 200, "{\"id\":" + id + ",\"ownerId\":1,\"durationMs\":1000,\"status\":\"" + status + "\"}");
        } else if ("DELETE".equals(method)) {
            if (status != null && !"DELETED".equals(status)) {
                exchange.sendResponseHeaders(409, -1);
                return;
            }
            if (deleteDelayMillis > 0) {
                try {
                    Thread.sleep(deleteDelayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            statuses.remove(id);
            calls.add("PURGED " + id);
            exchange.sendResponseHeaders(204, -1);
        } else {
            exchange.sendResponseHeaders(405, -1);
        }
    }

    private static void json(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
