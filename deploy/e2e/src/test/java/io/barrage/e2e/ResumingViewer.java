package io.barrage.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * A viewer that stays connected through the gateway, as the web client does: after every drop it reconnects
 * with {@code since} = the last seq it saw, and it replaces a connection silent for {@link #SILENCE} (the
 * shard sends the online count every 5 s, so such a connection is a dead, half-open proxy leg).
 */
final class ResumingViewer implements WebSocket.Listener {

    /** A viewer that hears nothing for this long (not even the 5-second online count) reconnects. */
    static final Duration SILENCE = Duration.ofSeconds(15);

    final List<Long> seqs = new CopyOnWriteArrayList<>();
    final List<JsonNode> gaps = new CopyOnWriteArrayList<>();
    private final String url;
    final String token;
    private final AtomicInteger reconnects;
    private final AtomicLong silentDrops;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final StringBuilder partial = new StringBuilder();
    private final Object dropped = new Object();
    volatile boolean connected;
    private volatile boolean stopped;
    private volatile WebSocket socket;
    private volatile long lastFrameAt = System.nanoTime();
    private Thread loop;

    /**
     * @param token a session token sent as the cookie, or null for an anonymous viewer
     * @param reconnects counts every reconnection after the first connection
     * @param silentDrops counts the silent connections replaced
     */
    ResumingViewer(String gatewayUrl, long videoId, String token, AtomicInteger reconnects, AtomicLong silentDrops) {
        this.url = gatewayUrl.replace("http", "ws") + "/ws/v1/videos/" + videoId;
        this.token = token;
        this.reconnects = reconnects;
        this.silentDrops = silentDrops;
    }

    long lastSeq() {
        return seqs.isEmpty() ? 0 : seqs.getLast();
    }

    void start() {
        loop = Thread.ofPlatform().name("e2e-viewer").daemon(true).start(this::run);
    }

    /** Leaves as a page does (a close frame), so the shard counts the viewer out at once. */
    void stop() {
        stopped = true;
        WebSocket current = socket;
        if (current != null) {
            current.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
                    .orTimeout(2, TimeUnit.SECONDS)
                    .exceptionally(e -> {
                        current.abort();
                        return null;
                    });
        }
        loop.interrupt();
    }

    private void run() {
        boolean first = true;
        while (!stopped) {
            try {
                WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
                if (token != null) {
                    builder.header("Cookie", "BARRAGE_SESSION=" + token);
                }
                String uri = first ? url : url + "?since=" + lastSeq();
                synchronized (partial) {
                    partial.setLength(0);
                }
                socket = builder.buildAsync(URI.create(uri), this).get(10, TimeUnit.SECONDS);
                if (!first) {
                    reconnects.incrementAndGet();
                }
                first = false;
                connected = true;
                lastFrameAt = System.nanoTime();
                synchronized (dropped) {
                    while (connected && !stopped) {
                        dropped.wait(1000);
                        if (System.nanoTime() - lastFrameAt > SILENCE.toNanos()) {
                            silentDrops.incrementAndGet();
                            socket.abort();
                            connected = false;
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the gateway or the shard is down, or the gateway sent us to a shard that just died: again shortly
            }
            connected = false;
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void drop() {
        synchronized (dropped) {
            connected = false;
            dropped.notifyAll();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        lastFrameAt = System.nanoTime();
        synchronized (partial) {
            partial.append(data);
            if (last) {
                JsonNode frame = Client.JSON.readTree(partial.toString());
                partial.setLength(0);
                switch (frame.path("type").asString()) {
                    case "danmaku" ->
                        frame.path("items")
                                .forEach(item -> seqs.add(item.path("seq").asLong()));
                    case "gap" -> gaps.add(frame);
                    default -> {}
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        drop();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        drop();
    }
}
