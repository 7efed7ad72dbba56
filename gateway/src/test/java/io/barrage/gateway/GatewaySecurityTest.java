package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.gateway.identity.RevocationListener;
import io.barrage.gateway.identity.SessionIntrospector;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
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
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class GatewaySecurityTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SERVICE_TOKEN = TestInfra.get().serviceToken();
    private static final String ALLOWED_ORIGIN = "https://app.example";
    private static final Set<String> revokedAtUserService = ConcurrentHashMap.newKeySet();
    /** "METHOD path" of every request that reached a stand-in service (session checks aside). */
    private static final List<String> reachedServices = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final DisposableServer backend = startBackend();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        commonProperties().forEach((k, v) -> registry.add(k, () -> v));
    }

    private static Map<String, String> commonProperties() {
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

    @AfterAll
    static void stopBackend() {
        backend.disposeNow();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    RevocationListener revocations;

    @Autowired
    SessionIntrospector introspector;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aRevocationOnUserEventsReachesEveryGatewayInstance() throws Exception {
        ConfigurableApplicationContext second = new SpringApplicationBuilder(GatewayApplication.class)
                // its own event loops, so closing it does not dispose the ones this JVM shares
                .initializers(context -> ((org.springframework.context.support.GenericApplicationContext) context)
                        .registerBean(ReactorResourceFactory.class, () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            return resources;
                        }))
                // as command-line arguments, which outrank application.yml (default properties do not:
                // the instance then bound the fixed ports 8080 and 8090, taken whenever a local stack runs)
                .run(toArgs(commonProperties()));
        try {
            int secondPort = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
            RevocationListener secondListener = second.getBean(RevocationListener.class);
            await(() -> revocations.ready() && secondListener.ready(), "both gateways follow user.events");

            String token = "user-77-" + System.nanoTime();
            for (int gateway : List.of(port, secondPort)) {
                assertThat(userIdSeenBy(gateway, token)).containsExactly("77");
            }
            // user-service now refuses the token, but both gateways still hold their cached answer …
            revokedAtUserService.add(token);
            for (int gateway : List.of(port, secondPort)) {
                assertThat(userIdSeenBy(gateway, token)).containsExactly("77");
            }
            // … until the event arrives
            long start;
            try (var producer = producer()) {
                String event = JSON.writeValueAsString(
                        Map.of("type", "SessionRevoked", "version", 1, "tokenHash", sha256(token), "userId", 77));
                start = System.nanoTime();
                producer.send(new ProducerRecord<>("user.events", "77", event)).get();
            }
            await(
                    () -> userIdSeenBy(port, token).isEmpty()
                            && userIdSeenBy(secondPort, token).isEmpty(),
                    "both gateways refuse the revoked token");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.println("revocation reached both gateways in " + took.toMillis() + " ms");
            // a functional bound, not a latency figure: far inside the minute-long cache TTL, so only the
            // event can have evicted the answer, yet loose enough for a loaded machine
            assertThat(took).isLessThan(Duration.ofSeconds(10));
        } finally {
            second.close();
        }
    }

    @Test
    void theNearCacheExportsItsHitRate() throws Exception {
        String token = "user-5-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(userIdSeenBy(port, token)).containsExactly("5");
        }
        assertThat(introspector.holds(sha256(token))).isTrue();
        var metrics = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .containsPattern("cache_gets_total\\{cache=\"sessions\".*result=\"hit\".*\\} [1-9]")
                .contains("cache_size{cache=\"sessions\"");
    }

    @Test
    void spoofedIdentityAndAddressHeadersAreReplaced() throws Exception {
        var echo = echo(get(
                port,
                "/api/v1/videos/1",
                "Authorization",
                "Bearer user-9-spoof",
                "X-User-Id",
                "1",
                "X-User-Name",
                "root",
                "X-Client-Ip",
                "10.9.9.9",
                "X-Service-Token",
                "forged"));
        assertThat(header(echo, "x-user-id")).containsExactly("9");
        assertThat(header(echo, "x-client-ip")).containsExactly("127.0.0.1");
        assertThat(header(echo, "x-service-token")).containsExactly(SERVICE_TOKEN);
    }

    @Test
    void writesAreRateLimitedPerUserAndCredentialChecksPerAddress() throws Exception {
        String alice = "Bearer user-1001-" + System.nanoTime();
        String bob = "Bearer user-1002-" + System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 300 && refused == null; i++) {
            var response = post(
                    port, "/api/v1/videos/1/danmaku", "{\"text\":\"hi\",\"playbackMs\":0}", "Authorization", alice);
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                refused = response;
            }
        }
        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(refused).as("statuses %s", statuses).isNotNull();
        assertProblem(refused, 429, "too-many-requests");
        assertThat(refused.headers().firstValue("Retry-After")).contains("1");
        // Bob has his own bucket
        assertThat(post(port, "/api/v1/videos/1/danmaku", "{}", "Authorization", bob)
                        .statusCode())
                .isEqualTo(200);
        // reads are not limited
        assertThat(get(port, "/api/v1/videos/1", "Authorization", alice).statusCode())
                .isEqualTo(200);

        // logins are anonymous: limited by address
        boolean loginRefused = false;
        for (int i = 0; i < 300 && !loginRefused; i++) {
            var login = post(port, "/api/v1/sessions", "{\"username\":\"x\",\"password\":\"y\"}");
            loginRefused = login.statusCode() == 429;
        }
        assertThat(loginRefused).isTrue();
    }

    @Test
    void whileRedisIsDownLimitsHoldPerInstanceAndNothingElseBreaks() throws Exception {
        String carol = "Bearer user-1003-" + System.nanoTime();
        TestInfra.get().stopRedis();
        try {
            List<Integer> statuses = new ArrayList<>();
            Duration slowest = Duration.ZERO;
            for (int i = 0; i < 300 && !statuses.contains(429); i++) {
                long start = System.nanoTime();
                statuses.add(post(port, "/api/v1/videos/1/danmaku", "{}", "Authorization", carol)
                        .statusCode());
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                slowest = took.compareTo(slowest) > 0 ? took : slowest;
            }
            // fail open, but bounded: the first burst passes, the flood is cut by the local bucket
            assertThat(statuses.subList(0, 10)).containsOnly(200);
            assertThat(statuses).contains(429);
            // the limiter gives Redis 750 ms at most; the bound is generous for a loaded machine
            assertThat(slowest).as("no request waits for Redis").isLessThan(Duration.ofSeconds(5));
            assertThat(get(port, "/api/v1/videos/1", "Authorization", carol).statusCode())
                    .isEqualTo(200);
        } finally {
            TestInfra.get().startRedis();
        }
        // Redis is used again once it is back: a fresh user's first write passes with a real count
        String dave = "Bearer user-1004-" + System.nanoTime();
        await(
                () -> {
                    var response = postUnchecked("/api/v1/videos/1/danmaku", dave);
                    return response.statusCode() == 200
                            && !"-1"
                                    .equals(response.headers()
                                            .firstValue("X-RateLimit-Remaining")
                                            .orElse("-1"));
                },
                "rate limiting through Redis again");
    }

    @Test
    void onlyAllowListedOriginsMayCallCrossOrigin() throws Exception {
        assertProblem(get(port, "/api/v1/videos/1", "Origin", "https://evil.example"), 403, "origin-not-allowed");
        var allowed = get(port, "/api/v1/videos/1", "Origin", ALLOWED_ORIGIN);
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(ALLOWED_ORIGIN);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials"))
                .contains("true");

        var preflight = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/videos/1/danmaku"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", ALLOWED_ORIGIN)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "content-type")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(200);
        assertThat(preflight
                        .headers()
                        .firstValue("Access-Control-Allow-Methods")
                        .orElse(""))
                .contains("POST");
        var evilPreflight = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/videos/1/danmaku"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", "https://evil.example")
                        .header("Access-Control-Request-Method", "POST")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(evilPreflight.statusCode()).isEqualTo(403);
        assertThat(evilPreflight.headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
        // the web UI itself is same-origin
        assertThat(get(port, "/api/v1/videos/1", "Origin", "http://127.0.0.1:" + port)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void oversizedJsonBodiesAreRefusedButUploadsAreNot() throws Exception {
        String big = "{\"text\":\"" + "x".repeat(100 * 1024) + "\"}";
        assertProblem(
                post(port, "/api/v1/videos/1/danmaku", big, "Authorization", "Bearer user-1010-big"),
                413,
                "payload-too-large");
        var upload = post(port, "/api/v1/videos", big, "Authorization", "Bearer user-1011-up");
        assertThat(upload.statusCode()).isEqualTo(200);
        // a resumable upload's chunk reaches video-service too, which enforces the upload's own limit
        var chunk = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/uploads/abc"))
                        .timeout(Duration.ofSeconds(15))
                        .method("PATCH", HttpRequest.BodyPublishers.ofString(big))
                        .header("Content-Type", "application/offset+octet-stream")
                        .header("Authorization", "Bearer user-1011-up")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(echo(chunk).get("path").asString()).isEqualTo("/api/v1/uploads/abc");
    }

    @Test
    void aViewersDanmakuSettingsMayBeLargerThanOtherJsonBodiesButAreBoundedToo() throws Exception {
        // a thousand rules are more than 64 KB: the settings path has user-service's own bound (1 MB)
        String rules = "[{\"type\":0,\"filter\":\"" + "x".repeat(100 * 1024) + "\",\"opened\":true,\"id\":1}]";
        var imported = post(
                port, "/api/v1/users/me/danmaku-settings/import", rules, "Authorization", "Bearer user-1012-rules");
        assertThat(echo(imported).get("path").asString()).isEqualTo("/api/v1/users/me/danmaku-settings/import");
        String huge = "[{\"type\":0,\"filter\":\"" + "x".repeat(1100 * 1024) + "\",\"opened\":true,\"id\":1}]";
        assertProblem(
                post(port, "/api/v1/users/me/danmaku-settings/import", huge, "Authorization", "Bearer user-1012-rules"),
                413,
                "payload-too-large");
    }

    // --- the DPlayer client's body token

    @Test
    void theDplayerClientSignsItsSendWithTheTokenInTheBody() throws Exception {
        String token = "user-31-" + System.nanoTime();
        String body = "{\"token\":\"" + token
                + "\",\"id\":\"1\",\"author\":\"a\",\"time\":1.5,\"text\":\"hi\",\"color\":16777215,\"type\":0}";
        // DPlayer on a page of this site also carries the session cookie, without the CSRF header: on
        // this route the cookie is no credential, so it neither needs the header nor speaks for anyone
        var sent = post(port, "/dplayer/v3/", body, "Cookie", "BARRAGE_SESSION=user-99-cookie");
        JsonNode echo = echo(sent);
        assertThat(header(echo, "x-user-id")).containsExactly("31");
        assertThat(echo.get("body").asString()).isEqualTo(body);

        var cookieOnly = post(
                port, "/dplayer/v3/", "{\"id\":\"1\",\"text\":\"hi\"}", "Cookie", "BARRAGE_SESSION=user-99-cookie");
        assertThat(header(echo(cookieOnly), "x-user-id")).isEmpty();
        // a bearer header still wins over the body, as on every other route
        var bearer = post(port, "/dplayer/v3/", body, "Authorization", "Bearer user-32-" + System.nanoTime());
        assertThat(header(echo(bearer), "x-user-id")).containsExactly("32");
    }

    @Test
    void theDplayerSendSharesTheNativeDanmakuPostRateLimit() throws Exception {
        String token = "user-1020-" + System.nanoTime();
        String body = "{\"token\":\"" + token + "\",\"id\":\"1\",\"time\":0,\"text\":\"hi\",\"type\":0}";
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 300 && !statuses.contains(429); i++) {
            statuses.add(post(port, "/dplayer/v3/", body).statusCode());
        }
        assertThat(statuses.subList(0, 10)).containsOnly(200);
        assertThat(statuses).contains(429);
        // the same user's native POST is in the same bucket, now empty
        assertProblem(
                post(port, "/api/v1/videos/1/danmaku", "{}", "Authorization", "Bearer " + token),
                429,
                "too-many-requests");
    }

    // --- the upload gate

    @Test
    void anonymousUploadsAreRefusedBeforeTheirBodyIsRead() throws Exception {
        int before = reachedServices.size();
        assertProblem(post(port, "/api/v1/videos", "x".repeat(1000)), 401, "unauthenticated");
        assertProblem(post(port, "/api/v1/uploads", ""), 401, "unauthenticated");
        assertProblem(patch("/api/v1/uploads/abc", "x".repeat(1000), null), 401, "unauthenticated");
        // an unknown token is no better than none
        assertProblem(
                post(port, "/api/v1/videos", "x", "Authorization", "Bearer no-such-session"), 401, "unauthenticated");
        assertThat(reachedServices.subList(before, reachedServices.size()))
                .noneMatch(request -> request.contains("/api/v1/videos") || request.contains("/api/v1/uploads"));

        // a gigabyte announced, a kilobyte sent: the answer comes without waiting for the rest
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/v1/videos HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Content-Type: multipart/form-data; boundary=b\r\n"
                            + "Content-Length: 1073741824\r\n\r\n"
                            + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1024]);
            out.flush();
            String statusLine = new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void resumableUploadChunksAreRateLimitedPerUser() throws Exception {
        String erin = "Bearer user-1030-" + System.nanoTime();
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 300 && refused == null; i++) {
            var response = patch("/api/v1/uploads/abc", "chunk", erin);
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                refused = response;
            }
        }
        assertThat(statuses.subList(0, 5)).containsOnly(200);
        assertThat(refused).as("statuses %s", statuses).isNotNull();
        assertProblem(refused, 429, "too-many-requests");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // another uploader has a bucket of their own
        assertThat(patch("/api/v1/uploads/abc", "chunk", "Bearer user-1031-" + System.nanoTime())
                        .statusCode())
                .isEqualTo(200);
    }

    // --- helpers

    private HttpResponse<String> patch(String path, String body, String authorization) throws Exception {
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

    private List<String> userIdSeenBy(int gateway, String token) {
        try {
            return header(echo(get(gateway, "/api/v1/videos/1", "Authorization", "Bearer " + token)), "x-user-id");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().kafkaBootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        var producer = new KafkaProducer<String, String>(props);
        // fetch the topic's metadata now, so the measured time is the event's alone
        producer.partitionsFor("user.events");
        return producer;
    }

    private HttpResponse<String> postUnchecked(String path, String authorization) {
        try {
            return post(port, path, "{}", "Authorization", authorization);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(int gateway, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway + path))
                .timeout(Duration.ofSeconds(15));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(int gateway, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway + path))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode echo(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> header(JsonNode echo, String name) {
        JsonNode values = echo.get("headers").get(name);
        return values == null
                ? List.of()
                : values.valueStream().map(JsonNode::asString).toList();
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

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static String[] toArgs(Map<String, String> props) {
        Map<String, String> args = new LinkedHashMap<>(props);
        args.put("server.port", "0");
        return args.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static DisposableServer startBackend() {
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

    private static String echo(io.netty.handler.codec.http.HttpHeaders headers, String uri, String body) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        headers.forEach(e -> byName.computeIfAbsent(e.getKey().toLowerCase(), k -> new ArrayList<>())
                .add(e.getValue()));
        return JSON.writeValueAsString(Map.of("path", uri, "headers", byName, "body", body));
    }
}
