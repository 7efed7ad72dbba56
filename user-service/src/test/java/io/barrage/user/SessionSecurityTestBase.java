package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sessions, profiles and their security properties, against real MariaDB, Redis and Kafka.
 * Requests carry the headers the gateway would add (verified {@code X-User-Id} plus the service token).
 * The scenarios are split by feature ({@link SessionSecurityTest}, {@link AccountSecurityTest}) and share
 * the user-service context and these helpers.
 */
abstract class SessionSecurityTestBase extends UserServiceContext {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PASSWORD = "correct horse battery";

    final String serviceToken = TestInfra.get().serviceToken();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StringRedisTemplate redis;

    // --- helpers

    record User(long id, String name) {}

    User register(String prefix) throws Exception {
        String name = unique(prefix);
        var response = send("POST", "/api/v1/users", json(Map.of("username", name, "password", PASSWORD)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new User(JSON.readTree(response.body()).get("id").asLong(), name);
    }

    String login(User user) throws Exception {
        var response = loginFrom(randomAddress(), user.name, PASSWORD);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("token").asString();
    }

    /** A login from a device that has logged in before, with the cookie it was given then. */
    HttpResponse<String> loginFrom(String address, String username, String password, String deviceCookie)
            throws Exception {
        return send(
                "POST",
                "/api/v1/sessions",
                json(Map.of("username", username, "password", password)),
                "X-Client-Ip",
                address,
                "X-Service-Token",
                serviceToken,
                "Cookie",
                deviceCookie);
    }

    static String deviceCookieOf(HttpResponse<String> login) {
        assertThat(login.statusCode()).as(login.body()).isEqualTo(201);
        String setCookie = login.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("BARRAGE_DEVICE="))
                .findFirst()
                .orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("Path=/api/v1/sessions");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** As the gateway forwards a login: the client's address next to the service credential. */
    HttpResponse<String> loginFrom(String address, String username, String password) throws Exception {
        return send(
                "POST",
                "/api/v1/sessions",
                json(Map.of("username", username, "password", password)),
                "X-Client-Ip",
                address,
                "X-Service-Token",
                serviceToken);
    }

    /** As the gateway forwards a request of a logged-in user. */
    HttpResponse<String> asUser(User user, String token, String method, String path, String body) throws Exception {
        return send(
                method,
                path,
                body,
                "Authorization",
                "Bearer " + token,
                "X-User-Id",
                Long.toString(user.id),
                "X-Service-Token",
                serviceToken);
    }

    HttpResponse<String> introspect(String token) throws Exception {
        return send(
                "POST",
                "/internal/v1/sessions/introspect",
                json(Map.of("token", token)),
                "X-Service-Token",
                serviceToken);
    }

    /** A session check that must be answered within a functional bound (a dead store is no excuse). */
    HttpResponse<String> introspectWithin(Duration bound, String token) throws Exception {
        return TestHttp.send(TestHttp.on(port)
                .timeout(bound)
                .request("/internal/v1/sessions/introspect", "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("token", token))))
                .header("X-Service-Token", serviceToken)
                .build());
    }

    void deleteAllSessionKeys() {
        Set<String> keys = redis.keys("session:*");
        if (!keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    Map<String, JsonNode> awaitRevocations(Set<String> hashes) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "user-service-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Map<String, JsonNode> found = new java.util.HashMap<>();
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of("user.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !found.keySet().containsAll(hashes)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    JsonNode event = JSON.readTree(record.value());
                    String hash = event.path("tokenHash").asString("");
                    if (hashes.contains(hash)) {
                        assertThat(event.get("type").asString()).isEqualTo("SessionRevoked");
                        assertThat(record.key()).isEqualTo(event.get("userId").asString());
                        found.put(hash, event);
                    }
                }
            }
        }
        assertThat(found.keySet()).as("SessionRevoked events on user.events").containsAll(hashes);
        return found;
    }

    static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    static String randomAddress() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }

    static String sha256(String token) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception", "SQL", "at io.");
    }

    static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    static String json(Map<String, ?> body) {
        return JSON.writeValueAsString(body);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        return TestHttp.on(port).timeout(Duration.ofSeconds(20)).send(method, path, body, headers);
    }
}
