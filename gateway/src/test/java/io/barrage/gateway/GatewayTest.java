package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway in front of a stand-in backend: it answers the session check as user-service would,
 * echoes the headers it received as video-service and push-service (HTTP and WebSocket), and
 * danmaku-service points at a port that refuses every connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewayTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SERVICE_TOKEN = TestInfra.get().serviceToken();
    private static final String GOOD_TOKEN = "good-token-of-user-42";
    private static final String BROKEN_TOKEN = "token-whose-check-fails";
    private static final String SLOW_TOKEN = "token-whose-check-never-answers";
    private static final AtomicInteger introspections = new AtomicInteger();
    /** Tokens whose checks user-service now fails (503), as when it or its database restarts. */
    private static final java.util.Set<String> failingChecks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Failed checks per token, as the stand-in answered them. */
    private static final Map<String, AtomicInteger> failedChecks = new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final DisposableServer backend = startBackend();
    private static final Socket danmakuServiceDown = boundButNotListening();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.GATEWAY).forEach((k, v) -> registry.add(k, () -> v));
        String base = "http://127.0.0.1:" + backend.port();
        registry.add("management.server.port", () -> "0");
        // longer than the near-cache's 5 s, so a check fails and the recent identity stands in
        registry.add("barrage.gateway.session-stale-window", () -> "15s");
        registry.add("spring.cloud.discovery.client.simple.instances.user-service[0].uri", () -> base);
        registry.add("spring.cloud.discovery.client.simple.instances.video-service[0].uri", () -> base);
        registry.add("spring.cloud.discovery.client.simple.instances.push-service[0].uri", () -> base);
        registry.add(
                "spring.cloud.discovery.client.simple.instances.danmaku-service[0].uri",
                () -> "http://127.0.0.1:" + danmakuServiceDown.getLocalPort());
    }

    @AfterAll
    static void stopBackend() throws java.io.IOException {
        backend.disposeNow();
        danmakuServiceDown.close();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aVerifiedUserReplacesWhateverIdentityTheClientClaimed() throws Exception {
        var response = get(
                "/api/v1/videos/7",
                "Authorization",
                "Bearer " + GOOD_TOKEN,
                "X-User-Id",
                "1",
                "X-User-Name",
                "admin",
                "X-User-Role",
                "root",
                "X-Service-Token",
                "forged");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.get("path").asString()).isEqualTo("/api/v1/videos/7");
        assertThat(header(echo, "x-user-id")).containsExactly("42");
        assertThat(header(echo, "x-user-name")).containsExactly("alice");
        assertThat(header(echo, "x-user-role")).isEmpty();
        assertThat(header(echo, "x-service-token")).containsExactly(SERVICE_TOKEN);
        assertThat(header(echo, "x-request-id")).hasSize(1);
        assertThat(response.headers().allValues("X-Request-Id"))
                .containsExactlyElementsOf(header(echo, "x-request-id"));
    }

    @Test
    void theSessionCookieWorksLikeABearerToken() throws Exception {
        var response = get("/api/v1/users/me", "Cookie", "theme=dark; BARRAGE_SESSION=" + GOOD_TOKEN);
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.get("path").asString()).isEqualTo("/api/v1/users/me");
        assertThat(header(echo, "x-user-id")).containsExactly("42");
        // the service still sees the cookie, which it needs for logout
        assertThat(header(echo, "cookie").toString()).contains("BARRAGE_SESSION=" + GOOD_TOKEN);
    }

    @Test
    void anAnonymousRequestCarriesNoIdentityButTheServiceCredential() throws Exception {
        var response = get("/api/v1/videos?page=0", "X-User-Id", "1", "X-Service-Token", "forged");
        JsonNode echo = JSON.readTree(response.body());
        assertThat(echo.get("path").asString()).isEqualTo("/api/v1/videos?page=0");
        assertThat(header(echo, "x-user-id")).isEmpty();
        assertThat(header(echo, "x-user-name")).isEmpty();
        assertThat(header(echo, "x-service-token")).containsExactly(SERVICE_TOKEN);

        var unknownToken = get("/api/v1/videos", "Authorization", "Bearer no-such-session", "X-User-Id", "1");
        assertThat(unknownToken.statusCode()).isEqualTo(200);
        assertThat(header(JSON.readTree(unknownToken.body()), "x-user-id")).isEmpty();
    }

    @Test
    void aTokenThatCannotBeCheckedGetsAServiceUnavailableWithRetryAfterNeverAnonymous() throws Exception {
        // user-service answers 500, or does not answer within the introspection timeout
        for (String token : List.of(BROKEN_TOKEN, SLOW_TOKEN)) {
            var read = get("/api/v1/videos/1", "Authorization", "Bearer " + token);
            assertProblem(read, 503, "session-check-unavailable");
            assertThat(read.headers().firstValue("Retry-After")).contains("5");
            var write = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/videos/1"))
                            .timeout(Duration.ofSeconds(15))
                            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"title\":\"t\"}"))
                            .header("Content-Type", "application/json")
                            .header("Cookie", "BARRAGE_SESSION=" + token)
                            .header("X-Barrage-Csrf", "1")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertProblem(write, 503, "session-check-unavailable");
            assertThat(write.headers().firstValue("Retry-After")).contains("5");
        }
        // the live socket is refused the same way, before the upgrade
        assertThatThrownBy(() -> http.newWebSocketBuilder()
                        .header("Cookie", "BARRAGE_SESSION=" + BROKEN_TOKEN)
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/1"), new WebSocket.Listener() {})
                        .get(15, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        java.net.http.WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(503));
        // without a token the same read is simply anonymous
        assertThat(get("/api/v1/videos/1").statusCode()).isEqualTo(200);
    }

    @Test
    void anIdentityVerifiedRecentlyIsServedWhileUserServiceFailsThenTheWindowCloses() throws Exception {
        String token = GOOD_TOKEN + "-stale-" + System.nanoTime();
        assertThat(userIdSeenWith(token)).containsExactly("42");
        failingChecks.add(token);
        boolean servedStale = false;
        HttpResponse<String> refused = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (refused == null && System.nanoTime() < deadline) {
            int failedBefore = failedChecks(token);
            var response = get("/api/v1/videos/1", "Authorization", "Bearer " + token);
            if (response.statusCode() == 503) {
                refused = response;
            } else {
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(header(JSON.readTree(response.body()), "x-user-id"))
                        .as("never anonymous")
                        .containsExactly("42");
                servedStale |= failedBefore > 0;
                Thread.sleep(100);
            }
        }
        assertThat(servedStale)
                .as("the identity was served after user-service failed to check it")
                .isTrue();
        assertThat(refused).as("past the stale window").isNotNull();
        assertProblem(refused, 503, "session-check-unavailable");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void aRevokedSessionIsNotServedFromTheStaleWindow() throws Exception {
        String token = GOOD_TOKEN + "-revoked-" + System.nanoTime();
        assertThat(userIdSeenWith(token)).containsExactly("42");
        failingChecks.add(token);
        var logout = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions/current"))
                        .DELETE()
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(204);
        // user-service still cannot be asked, yet the gateway knows this session has ended
        var after = get("/api/v1/videos/1", "Authorization", "Bearer " + token);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(header(JSON.readTree(after.body()), "x-user-id")).isEmpty();
    }

    @Test
    void sessionChecksAreReusedBriefly() throws Exception {
        String token = GOOD_TOKEN + "-cache";
        int before = introspections.get();
        for (int i = 0; i < 5; i++) {
            assertThat(header(
                            JSON.readTree(get("/api/v1/videos/1", "Authorization", "Bearer " + token)
                                    .body()),
                            "x-user-id"))
                    .containsExactly("42");
        }
        assertThat(introspections.get() - before).isEqualTo(1);
    }

    @Test
    void aLogoutThroughTheGatewayEndsTheSessionAtOnce() throws Exception {
        String token = GOOD_TOKEN + "-logout";
        assertThat(header(
                        JSON.readTree(get("/api/v1/videos/1", "Authorization", "Bearer " + token)
                                .body()),
                        "x-user-id"))
                .containsExactly("42");
        var logout = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions/current"))
                        .DELETE()
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(204);
        // within the cache's lifetime, yet no longer the user
        assertThat(header(
                        JSON.readTree(get("/api/v1/videos/1", "Authorization", "Bearer " + token)
                                .body()),
                        "x-user-id"))
                .isEmpty();
    }

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

    // --- helpers

    private List<String> userIdSeenWith(String token) throws Exception {
        var response = get("/api/v1/videos/1", "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return header(JSON.readTree(response.body()), "x-user-id");
    }

    private static int failedChecks(String token) {
        AtomicInteger count = failedChecks.get(token);
        return count == null ? 0 : count.get();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode())
                .as(response.uri() + " " + response.body())
                .isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(status);
    }

    private static List<String> header(JsonNode echo, String name) {
        JsonNode values = echo.get("headers").get(name);
        return values == null
                ? List.of()
                : values.valueStream().map(JsonNode::asString).toList();
    }

    /**
     * A port held for the class's lifetime: bound, so nothing else can take it (no SO_REUSEADDR, so not even
     * a socket that sets it), and never listening, so the kernel refuses every connection to it at once. A
     * port found free and released could be bound by anything later; a bound ServerSocket would not refuse
     * but accept into its backlog, and the gateway would wait out its response timeout.
     */
    private static Socket boundButNotListening() {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static DisposableServer startBackend() {
        return HttpServer.create()
                .bindAddress(() -> new InetSocketAddress("127.0.0.1", 0))
                .route(routes -> routes.post(
                                "/internal/v1/sessions/introspect",
                                (request, response) -> request.receive()
                                        .aggregate()
                                        .asString()
                                        .defaultIfEmpty("{}")
                                        .flatMap(body -> {
                                            introspections.incrementAndGet();
                                            String token = JSON.readTree(body)
                                                    .path("token")
                                                    .asString("");
                                            boolean trusted = SERVICE_TOKEN.equals(
                                                    request.requestHeaders().get("X-Service-Token"));
                                            if (trusted && failingChecks.contains(token)) {
                                                failedChecks
                                                        .computeIfAbsent(token, t -> new AtomicInteger())
                                                        .incrementAndGet();
                                                return response.status(503)
                                                        .send()
                                                        .then();
                                            }
                                            if (trusted && token.equals(SLOW_TOKEN)) {
                                                return Mono.never();
                                            }
                                            if (trusted && token.startsWith(GOOD_TOKEN) && !revoked.contains(token)) {
                                                return response.header("Content-Type", "application/json")
                                                        .sendString(Mono.just("{\"userId\":42,\"username\":\"alice\"}"))
                                                        .then();
                                            }
                                            if (trusted && token.equals(BROKEN_TOKEN)) {
                                                return response.status(500)
                                                        .send()
                                                        .then();
                                            }
                                            return response.status(trusted ? 404 : 401)
                                                    .header("Content-Type", "application/problem+json")
                                                    .sendString(Mono.just("{\"code\":\"session-not-found\"}"))
                                                    .then();
                                        }))
                        .delete("/api/v1/sessions/current", (request, response) -> {
                            String authorization = request.requestHeaders().get("Authorization", "");
                            revoked.add(authorization.replaceFirst("^Bearer ", ""));
                            return response.status(204).send();
                        })
                        .ws(
                                "/ws/v1/videos/{id}",
                                (in, out) -> out.sendString(Mono.just(echo(in.headers(), "/ws/v1/videos/1?since=5")))
                                        .then(in.receive().then()))
                        .route(request -> true, (request, response) -> {
                            response.header(
                                    "X-Request-Id", request.requestHeaders().get("X-Request-Id", ""));
                            return response.header("Content-Type", "application/json")
                                    .sendString(Mono.just(echo(request.requestHeaders(), request.uri())));
                        }))
                .bindNow();
    }

    private static String echo(io.netty.handler.codec.http.HttpHeaders headers, String uri) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        headers.forEach(e -> byName.computeIfAbsent(e.getKey().toLowerCase(), k -> new java.util.ArrayList<>())
                .add(e.getValue()));
        return JSON.writeValueAsString(Map.of("path", uri, "headers", byName));
    }
}
