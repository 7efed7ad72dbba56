package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.gateway.identity.RevocationListener;
import io.barrage.gateway.identity.SessionIntrospector;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Autowired;
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
 * The gateway's security features on real Redis and Kafka, in front of a stand-in for every service:
 * it answers session checks for tokens starting with {@code user-} (the user id follows) and echoes
 * everything else. The session cache TTL is a minute here, so only an event can explain an eviction.
 * The scenarios are split by feature ({@link GatewaySecurityTest}, {@link GatewayRateLimitTest}); they
 * share one application context and one stand-in, which live as long as the JVM (the context is cached
 * across the classes, so neither may close the stand-in after its own tests).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class GatewaySecurityTestBase {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String SERVICE_TOKEN = TestInfra.get().serviceToken();
    static final String ALLOWED_ORIGIN = "https://app.example";
    static final Set<String> revokedAtUserService = ConcurrentHashMap.newKeySet();
    /** "METHOD path" of every request that reached a stand-in service (session checks aside). */
    static final List<String> reachedServices = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final DisposableServer backend = startBackend();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        commonProperties().forEach((k, v) -> registry.add(k, () -> v));
    }

    static Map<String, String> commonProperties() {
        Map<String, String> props = new LinkedHashMap<>(TestInfra.springProperties(Service.GATEWAY));
        String base = "http://127.0.0.1:" + backend.port();
        props.put("management.server.port", "0");
        props.put("barrage.gateway.session-cache-ttl", "60s");
        props.put("barrage.gateway.cors.allowed-origins[0]", ALLOWED_ORIGIN);
        // slow refills, so a flood meets the limit however slowly this machine sends it
        props.put("barrage.gateway.rate-limits.danmaku-post.per-second", "1");
        props.put("barrage.gateway.rate-limits.danmaku-post.burst", "10");
        props.put("barrage.gateway.rate-limits.credentials.per-second", "1");
        props.put("barrage.gateway.rate-limits.credentials.burst", "10");
        props.put("barrage.gateway.rate-limits.upload-chunk.per-second", "1");
        props.put("barrage.gateway.rate-limits.upload-chunk.burst", "5");
        for (String service : List.of("user-service", "video-service", "danmaku-service", "push-service")) {
            props.put("spring.cloud.discovery.client.simple.instances." + service + "[0].uri", base);
        }
        return props;
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    RevocationListener revocations;

    @Autowired
    SessionIntrospector introspector;

    final HttpClient http = TestHttp.client();

    // --- helpers

    HttpResponse<String> patch(String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/offset+octet-stream")
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> userIdSeenBy(int gateway, String token) {
        try {
            return header(echo(get(gateway, "/api/v1/videos/1", "Authorization", "Bearer " + token)), "x-user-id");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        var producer = new KafkaProducer<String, String>(props);
        // fetch the topic's metadata now, so the measured time is the event's alone
        producer.partitionsFor("user.events");
        return producer;
    }

    HttpResponse<String> postUnchecked(String path, String authorization) {
        try {
            return post(port, path, "{}", "Authorization", authorization);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(int gateway, String path, String... headers) {
        return TestHttp.on(gateway).get(path, headers);
    }

    HttpResponse<String> post(int gateway, String path, String body, String... headers) {
        return TestHttp.on(gateway).post(path, body, headers);
    }

    static JsonNode echo(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    static List<String> header(JsonNode echo, String name) {
        JsonNode values = echo.get("headers").get(name);
        return values == null
                ? List.of()
                : values.valueStream().map(JsonNode::asString).toList();
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

    static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    static String[] toArgs(Map<String, String> props) {
        Map<String, String> args = new LinkedHashMap<>(props);
        args.put("server.port", "0");
        return args.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    static String sha256(String token) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    static DisposableServer startBackend() {
        return HttpServer.create()
                .runOn(reactor.netty.resources.LoopResources.create("stand-in", 2, true))
                .bindAddress(() -> new InetSocketAddress("127.0.0.1", 0))
                .route(routes -> routes.post(
                                "/internal/v1/sessions/introspect",
                                (request, response) -> request.receive()
                                        .aggregate()
                                        .asString()
                                        .defaultIfEmpty("{}")
                                        .flatMap(body -> {
                                            String token = JSON.readTree(body)
                                                    .path("token")
                                                    .asString("");
                                            boolean trusted = SERVICE_TOKEN.equals(
                                                    request.requestHeaders().get("X-Service-Token"));
                                            String[] parts = token.split("-");
                                            if (trusted
                                                    && parts.length >= 2
                                                    && parts[0].equals("user")
                                                    && !revokedAtUserService.contains(token)) {
                                                return response.header("Content-Type", "application/json")
                                                        .sendString(Mono.just("{\"userId\":" + parts[1]
                                                                + ",\"username\":\"u" + parts[1] + "\"}"))
                                                        .then();
                                            }
                                            return response.status(trusted ? 404 : 401)
                                                    .header("Content-Type", "application/problem+json")
                                                    .sendString(Mono.just("{\"code\":\"session-not-found\"}"))
                                                    .then();
                                        }))
                        .route(request -> true, (request, response) -> {
                            reachedServices.add(request.method().name() + " " + request.uri());
                            return request.receive()
                                    .aggregate()
                                    .asString()
                                    .defaultIfEmpty("")
                                    .flatMap(body -> response.header("Content-Type", "application/json")
                                            .sendString(Mono.just(echo(request.requestHeaders(), request.uri(), body)))
                                            .then());
                        }))
                .bindNow();
    }

    static String echo(io.netty.handler.codec.http.HttpHeaders headers, String uri, String body) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        headers.forEach(e -> byName.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>())
                .add(e.getValue()));
        return JSON.writeValueAsString(Map.of("path", uri, "headers", byName, "body", body));
    }
}
