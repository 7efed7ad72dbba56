package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
 * danmaku-service points at a port that refuses every connection. The scenarios are split by feature
 * ({@link GatewaySessionTest}, {@link GatewayRoutingTest}); they share one application context and one
 * stand-in, which live as long as the JVM (the context is cached across the classes, so neither may close
 * the stand-in after its own tests).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class GatewayTestBase {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SERVICE_TOKEN = TestInfra.get().serviceToken();
    static final String GOOD_TOKEN = "good-token-of-user-42";
    static final String BROKEN_TOKEN = "token-whose-check-fails";
    static final String SLOW_TOKEN = "token-whose-check-never-answers";
    static final AtomicInteger introspections = new AtomicInteger();
    /** Tokens whose checks user-service now fails (503), as when it or its database restarts. */
    static final java.util.Set<String> failingChecks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Failed checks per token, as the stand-in answered them. */
    static final Map<String, AtomicInteger> failedChecks = new java.util.concurrent.ConcurrentHashMap<>();

    static final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final DisposableServer backend = startBackend();
    static final Socket danmakuServiceDown = boundButNotListening();

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

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    final HttpClient http = TestHttp.client();

    // --- helpers

    List<String> userIdSeenWith(String token) throws Exception {
        var response = get("/api/v1/videos/1", "Authorization", "Bearer " + token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return header(JSON.readTree(response.body()), "x-user-id");
    }

    static int failedChecks(String token) {
        AtomicInteger count = failedChecks.get(token);
        return count == null ? 0 : count.get();
    }

    HttpResponse<String> get(String path, String... headers) {
        return TestHttp.on(port).get(path, headers);
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode())
                .as(response.uri() + " " + response.body())
                .isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(status);
    }

    static List<String> header(JsonNode echo, String name) {
        JsonNode values = echo.get("headers").get(name);
        return values == null
                ? List.of()
                : values.valueStream().map(JsonNode::asString).toList();
    }

    /**
     * A port held for the JVM's lifetime: bound, so nothing else can take it (no SO_REUSEADDR, so not even
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
