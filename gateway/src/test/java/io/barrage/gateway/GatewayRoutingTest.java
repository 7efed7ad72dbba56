package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Routing at the edge: request ids, what the public port never serves, problems for unknown paths and
 * services that are down, route precedence, WebSockets to push-service and the web UI.
 */
class GatewayRoutingTest extends GatewayTestBase {

    @Test
    void requestIdsAreKeptOnlyInASafeShape() throws Exception {
        var kept = get("/api/v1/videos/1", "X-Request-Id", "abc-DEF-12345678");
        assertThat(kept.headers().firstValue("X-Request-Id")).contains("abc-DEF-12345678");
        assertThat(header(JSON.readTree(kept.body()), "x-request-id")).containsExactly("abc-DEF-12345678");

        var spaced = get("/api/v1/videos/1", "X-Request-Id", "has spaces and <tags> in it");
        assertThat(spaced.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f-]{36}");

        var replaced = get("/api/v1/videos/1", "X-Request-Id", "short");
        String id = replaced.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(header(JSON.readTree(replaced.body()), "x-request-id")).containsExactly(id);
    }

    @Test
    void internalAndActuatorPathsDoNotExistOnThePublicPort() throws Exception {
        for (String path : List.of(
                "/internal/v1/sessions/introspect",
                "/internal/v1/users/1",
                "/actuator/health",
                "/actuator/prometheus",
                "/INTERNAL/v1/users/1",
                "/internal;x=1/v1/users/1",
                "/%69nternal/v1/users/1",
                "//internal/v1/users/1")) {
            var response = get(path);
            assertProblem(response, 404, "not-found");
        }
        for (String path : List.of(
                "/api/v1/users/../../../internal/v1/users/1",
                "/api/v1/users/%2e%2e/%2e%2e/%2e%2e/internal/v1/users/1",
                "/api/v1/users/..;/..;/..;/internal/v1/users/1",
                "/api/v1/videos/1%2f..%2f..%2finternal")) {
            var response = get(path);
            assertProblem(response, 400, "invalid-path");
        }
        // the probes are on the management port
        var liveness = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/liveness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(liveness.body()).get("status").asString()).isEqualTo("UP");
        var readiness = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownPathIsANotFoundProblem() throws Exception {
        assertProblem(get("/api/v1/nothing-here"), 404, "not-found");
    }

    @Test
    void aServiceThatIsDownIsAServiceUnavailableProblem() throws Exception {
        var response = get("/api/v1/videos/1/danmaku?fromMs=0&toMs=1000", "Authorization", "Bearer " + GOOD_TOKEN);
        assertProblem(response, 503, "service-unavailable");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void specificRoutesWinOverTheVideosRoute() throws Exception {
        // push-service's online count, not video-service, though both are "videos" paths
        var online = get("/api/v1/videos/3/online");
        assertThat(online.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(online.body()).get("path").asString()).isEqualTo("/api/v1/videos/3/online");
        // danmaku paths go to danmaku-service, which is down in this test: a 503, not video-service's 200
        assertThat(get("/api/v1/videos/3/danmaku").statusCode()).isEqualTo(503);
        assertThat(get("/dplayer/v3/?id=3").statusCode()).isEqualTo(503);
        assertThat(get("/api/v1/danmaku/123").statusCode()).isEqualTo(503);
    }

    @Test
    void webSocketsReachPushServiceWithTheVerifiedIdentity() throws Exception {
        CompletableFuture<String> firstFrame = new CompletableFuture<>();
        WebSocket socket = http.newWebSocketBuilder()
                .header("Cookie", "BARRAGE_SESSION=" + GOOD_TOKEN)
                .header("X-User-Id", "1")
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/1?since=5"), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            firstFrame.complete(text.toString());
                        }
                        webSocket.request(1);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        JsonNode echo = JSON.readTree(firstFrame.get(10, TimeUnit.SECONDS));
        assertThat(echo.get("path").asString()).isEqualTo("/ws/v1/videos/1?since=5");
        assertThat(header(echo, "x-user-id")).containsExactly("42");
        assertThat(header(echo, "x-service-token")).containsExactly(SERVICE_TOKEN);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }

    /** The proxy would answer 101 and then close with 1002; a malformed room is refused before that. */
    @Test
    void aMalformedRoomIsRefusedBeforeTheUpgrade() throws Exception {
        for (String room : List.of("/ws/v1/videos/abc", "/ws/v1/videos/0", "/ws/v1/videos/1?since=-1", "/ws/else")) {
            assertThatThrownBy(() -> http.newWebSocketBuilder()
                            .buildAsync(URI.create("ws://127.0.0.1:" + port + room), new WebSocket.Listener() {})
                            .get(10, TimeUnit.SECONDS))
                    .as(room)
                    .cause()
                    .isInstanceOfSatisfying(
                            java.net.http.WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(400));
        }
        assertProblem(get("/ws/v1/videos/1?since=x"), 400, "invalid-request");
    }

    @Test
    void theWebUiIsServedAtTheRoot() throws Exception {
        assumeTrue(getClass().getResource("/static/index.html") != null, "the web UI is not written yet");
        var response = get("/", "Accept", "text/html");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    }
}
