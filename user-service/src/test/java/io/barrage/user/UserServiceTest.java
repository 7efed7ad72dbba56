package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class UserServiceTest extends UserServiceContext {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final String serviceToken = TestInfra.get().serviceToken();

    @Test
    void registerLoginAndReadOwnProfileThroughGatewayHeaders() throws Exception {
        String name = unique("Alice");
        var registered = send(
                "POST",
                "/api/v1/users",
                json(Map.of("username", name, "password", "correct horse battery", "displayName", "  Alice A.  ")));
        assertThat(registered.statusCode()).isEqualTo(201);
        JsonNode user = JSON.readTree(registered.body());
        long id = user.get("id").asLong();
        assertThat(user.get("username").asString()).isEqualTo(name);
        assertThat(user.get("displayName").asString()).isEqualTo("Alice A.");
        assertThat(Instant.parse(user.get("createdAt").asString()))
                .isBefore(Instant.now().plusSeconds(1));
        assertThat(user.has("password")).isFalse();
        assertThat(user.has("passwordHash")).isFalse();

        Map<String, Object> row =
                jdbc.queryForMap("SELECT username_lower, password_hash FROM app_user WHERE id = ?", id);
        assertThat(row.get("username_lower")).isEqualTo(name.toLowerCase());
        assertThat((String) row.get("password_hash")).startsWith("$2a$").doesNotContain("correct horse");

        var login = send(
                "POST",
                "/api/v1/sessions",
                json(Map.of("username", name.toUpperCase(), "password", "correct horse battery")));
        assertThat(login.statusCode()).isEqualTo(201);
        JsonNode session = JSON.readTree(login.body());
        String token = session.get("token").asString();
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(Instant.parse(session.get("expiresAt").asString()))
                .isBetween(
                        Instant.now().plus(Duration.ofDays(7)).minusSeconds(60),
                        Instant.now().plus(Duration.ofDays(7)));
        assertThat(session.get("user").get("id").asLong()).isEqualTo(id);
        assertThat(session.get("user").get("username").asString()).isEqualTo(name);
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .startsWith("BARRAGE_SESSION=" + token + ";")
                .contains("Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=604800")
                .doesNotContain("Secure");

        // as the gateway forwards it: verified id plus the service credential
        var me = send("GET", "/api/v1/users/me", null, "X-User-Id", Long.toString(id), "X-Service-Token", serviceToken);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("username").asString()).isEqualTo(name);
        assertThat(JSON.readTree(me.body()).get("displayName").asString()).isEqualTo("Alice A.");

        var profile = send("GET", "/api/v1/users/" + id, null);
        assertThat(profile.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(profile.body()).get("displayName").asString()).isEqualTo("Alice A.");
        assertThat(JSON.readTree(profile.body()).has("createdAt")).isFalse();

        var introspect = send(
                "POST",
                "/internal/v1/sessions/introspect",
                json(Map.of("token", token)),
                "X-Service-Token",
                serviceToken);
        assertThat(introspect.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(introspect.body()).get("userId").asLong()).isEqualTo(id);
        assertThat(JSON.readTree(introspect.body()).get("username").asString()).isEqualTo(name);

        var internalUser = send("GET", "/internal/v1/users/" + id, null, "X-Service-Token", serviceToken);
        assertThat(internalUser.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(internalUser.body()).get("username").asString())
                .isEqualTo(name);
    }

    @Test
    void anIdentityHeaderWithoutTheServiceTokenIsNotTrusted() throws Exception {
        var me = send("GET", "/api/v1/users/me", null, "X-User-Id", "1");
        assertProblem(me, 401, "unauthenticated");
        var wrongToken = send("GET", "/api/v1/users/me", null, "X-User-Id", "1", "X-Service-Token", "guess");
        assertProblem(wrongToken, 401, "unauthenticated");
    }

    @Test
    void usernamesAreUniqueIgnoringCase() throws Exception {
        String name = unique("Bob");
        assertThat(send("POST", "/api/v1/users", json(Map.of("username", name, "password", "password123")))
                        .statusCode())
                .isEqualTo(201);
        var again =
                send("POST", "/api/v1/users", json(Map.of("username", name.toLowerCase(), "password", "password456")));
        assertProblem(again, 409, "username-taken");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM app_user WHERE username_lower = ?", Integer.class, name.toLowerCase()))
                .isEqualTo(1);
    }

    @Test
    void registrationRulesAreEnforced() throws Exception {
        assertProblem(
                send("POST", "/api/v1/users", json(Map.of("username", "ab", "password", "password123"))),
                400,
                "invalid-username");
        assertProblem(
                send("POST", "/api/v1/users", json(Map.of("username", "bad name!", "password", "password123"))),
                400,
                "invalid-username");
        assertProblem(
                send("POST", "/api/v1/users", json(Map.of("username", unique("c"), "password", "short"))),
                400,
                "weak-password");
        assertProblem(
                send("POST", "/api/v1/users", json(Map.of("username", unique("c"), "password", "x".repeat(129)))),
                400,
                "weak-password");
        // 128 characters is allowed even though BCrypt itself reads only 72 bytes
        String longPassword = "é".repeat(128);
        String name = unique("Long");
        assertThat(send("POST", "/api/v1/users", json(Map.of("username", name, "password", longPassword)))
                        .statusCode())
                .isEqualTo(201);
        assertThat(send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", longPassword)))
                        .statusCode())
                .isEqualTo(201);
        assertProblem(
                send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", "é".repeat(127) + "e"))),
                401,
                "invalid-credentials");
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() throws Exception {
        String name = unique("Carol");
        send("POST", "/api/v1/users", json(Map.of("username", name, "password", "password123")));
        var wrong = send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", "password124")));
        var unknown =
                send("POST", "/api/v1/sessions", json(Map.of("username", unique("nobody"), "password", "password123")));
        assertProblem(wrong, 401, "invalid-credentials");
        assertProblem(unknown, 401, "invalid-credentials");
        assertThat(JSON.readTree(wrong.body()).get("detail"))
                .isEqualTo(JSON.readTree(unknown.body()).get("detail"));
        assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void badInputIsAProblemNotAServerError() throws Exception {
        var malformed = send("POST", "/api/v1/users", "{\"username\": \"dave\", ");
        assertProblem(malformed, 400, "malformed-json");
        var wrongType = send("POST", "/api/v1/users", "{\"username\": {\"a\": 1}, \"password\": \"password123\"}");
        assertProblem(wrongType, 400, "invalid-request");
        assertThat(JSON.readTree(wrongType.body()).get("field").asString()).isEqualTo("username");
        // text policy (docs/api.md, "Text"): a bidi override or a zero-width space hides what a name says
        for (String name : new String[] {"\u202Enimda", "ad\u200Bmin"}) {
            var hidden = send(
                    "POST",
                    "/api/v1/users",
                    json(Map.of("username", unique("eve"), "password", "password123", "displayName", name)));
            assertProblem(hidden, 400, "invalid-request");
            assertThat(JSON.readTree(hidden.body()).get("field").asString()).isEqualTo("displayName");
        }
        assertProblem(send("GET", "/api/v1/users/not-a-number", null), 400, "invalid-request");
        assertProblem(send("GET", "/api/v1/users/999999999", null), 404, "user-not-found");
        assertProblem(send("GET", "/api/v1/nothing-here", null), 404, "not-found");
        assertProblem(send("PUT", "/api/v1/sessions", "{}"), 405, "method-not-allowed");
    }

    @Test
    void internalEndpointsNeedTheServiceToken() throws Exception {
        assertProblem(
                send("POST", "/internal/v1/sessions/introspect", json(Map.of("token", "x"))),
                401,
                "service-credential-required");
        assertProblem(
                send(
                        "POST",
                        "/internal/v1/sessions/introspect",
                        json(Map.of("token", "x")),
                        "X-Service-Token",
                        "not-the-token"),
                401,
                "service-credential-required");
        assertProblem(send("GET", "/internal/v1/users/1", null), 401, "service-credential-required");
        assertProblem(
                send(
                        "POST",
                        "/internal/v1/sessions/introspect",
                        json(Map.of("token", "never-issued")),
                        "X-Service-Token",
                        serviceToken),
                404,
                "session-not-found");
    }

    @Test
    void logoutRevokesTheSessionAndAnnouncesIt() throws Exception {
        String name = unique("Erin");
        long id = JSON.readTree(send("POST", "/api/v1/users", json(Map.of("username", name, "password", "password123")))
                        .body())
                .get("id")
                .asLong();
        String token = JSON.readTree(
                        send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", "password123")))
                                .body())
                .get("token")
                .asString();

        // the browser's way: only the cookie, forwarded untouched by the gateway
        var logout = send("DELETE", "/api/v1/sessions/current", null, "Cookie", "BARRAGE_SESSION=" + token);
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("BARRAGE_SESSION=;")
                .contains("Max-Age=0", "Path=/");

        assertProblem(
                send(
                        "POST",
                        "/internal/v1/sessions/introspect",
                        json(Map.of("token", token)),
                        "X-Service-Token",
                        serviceToken),
                404,
                "session-not-found");
        assertProblem(
                send("DELETE", "/api/v1/sessions/current", null, "Authorization", "Bearer " + token),
                401,
                "unauthenticated");

        String tokenHash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        ConsumerRecord<String, String> event = awaitEvent(tokenHash);
        assertThat(event.key()).isEqualTo(Long.toString(id));
        JsonNode value = JSON.readTree(event.value());
        assertThat(value.get("type").asString()).isEqualTo("SessionRevoked");
        assertThat(value.get("version").asInt()).isEqualTo(1);
        assertThat(value.get("userId").asLong()).isEqualTo(id);
        assertThat(event.headers().lastHeader("X-Request-Id")).isNotNull();
    }

    @Test
    void bearerLogoutWorksToo() throws Exception {
        String name = unique("Finn");
        send("POST", "/api/v1/users", json(Map.of("username", name, "password", "password123")));
        String token = JSON.readTree(
                        send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", "password123")))
                                .body())
                .get("token")
                .asString();
        assertThat(send("DELETE", "/api/v1/sessions/current", null, "Authorization", "Bearer " + token)
                        .statusCode())
                .isEqualTo(204);
        assertProblem(
                send(
                        "POST",
                        "/internal/v1/sessions/introspect",
                        json(Map.of("token", token)),
                        "X-Service-Token",
                        serviceToken),
                404,
                "session-not-found");
    }

    private ConsumerRecord<String, String> awaitEvent(String tokenHash) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.get().kafkaBootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "user-service-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (var consumer = new KafkaConsumer<String, String>(props)) {
            consumer.subscribe(List.of("user.events"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.value().contains(tokenHash)) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no SessionRevoked for " + tokenHash + " on user.events within 30 s");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(response.body()).doesNotContain("Exception", "SQL", "at io.");
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static String json(Map<String, ?> body) {
        return JSON.writeValueAsString(body);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) {
        return TestHttp.on(port).timeout(Duration.ofSeconds(20)).send(method, path, body, headers);
    }
}
