package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sessions, profiles and the security properties of issue 3, against real MariaDB, Redis and Kafka.
 * Requests carry the headers the gateway would add (verified {@code X-User-Id} plus the service token).
 */
class SessionSecurityTest extends UserServiceContext {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PASSWORD = "correct horse battery";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String serviceToken = TestInfra.get().serviceToken();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    StringRedisTemplate redis;

    // --- durability

    @Test
    void sessionsSurviveRedisLosingEverything() throws Exception {
        User alice = register("Lost");
        String token = login(alice);
        deleteAllSessionKeys();

        var answer = introspect(token);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("userId").asLong()).isEqualTo(alice.id);
        // and Redis is warm again
        assertThat(redis.hasKey("session:" + sha256(token))).isTrue();
    }

    @Test
    void sessionsWorkWhileRedisIsDownAndARevocationThenStaysRevoked() throws Exception {
        User user = register("Outage");
        String kept = login(user);
        String revokedWhileDown = login(user);
        TestInfra.get().stopRedis();
        try {
            assertThat(introspect(kept).statusCode()).isEqualTo(200);
            // logging in still works: the row is the session, Redis is re-warmed later
            String fresh = login(user);
            assertThat(introspect(fresh).statusCode()).isEqualTo(200);
            assertThat(send("DELETE", "/api/v1/sessions/current", null, "Authorization", "Bearer " + revokedWhileDown)
                            .statusCode())
                    .isEqualTo(204);
            assertProblem(introspect(revokedWhileDown), 404, "session-not-found");
        } finally {
            TestInfra.get().startRedis();
        }
        // Redis came back from its append-only file still holding the revoked session: it must not count
        assertProblem(introspect(revokedWhileDown), 404, "session-not-found");
        assertThat(introspect(kept).statusCode()).isEqualTo(200);
        String revokedKey = "session:" + sha256(revokedWhileDown);
        await(() -> !Boolean.TRUE.equals(redis.hasKey(revokedKey)), "the retried delete");
    }

    @Test
    void sessionsAreAnsweredFromRedisWhileMariaDbIsDown() throws Exception {
        User user = register("DbOutage");
        String recent = login(user);
        String dueForATouch = login(user);
        String onlyInTheDatabase = login(user);
        // as if the session had last been written to the database two minutes ago: due for a touch
        String key = "session:" + sha256(dueForATouch);
        var value = (tools.jackson.databind.node.ObjectNode)
                JSON.readTree(redis.opsForValue().get(key));
        Instant twoMinutesAgo = Instant.now().minus(Duration.ofMinutes(2));
        if (value.get("seenAt").isNumber()) {
            value.put("seenAt", new java.math.BigDecimal(twoMinutesAgo.getEpochSecond() + "." + "000"));
        } else {
            value.put("seenAt", twoMinutesAgo.toString());
        }
        redis.opsForValue().set(key, JSON.writeValueAsString(value), Duration.ofDays(1));
        redis.delete("session:" + sha256(onlyInTheDatabase));

        TestInfra.get().stopMariaDb();
        try {
            for (String token : List.of(recent, dueForATouch, dueForATouch, recent)) {
                long start = System.nanoTime();
                var answer = introspectWithin(Duration.ofSeconds(10), token);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(JSON.readTree(answer.body()).get("userId").asLong()).isEqualTo(user.id);
                System.out.println("introspection with MariaDB down: "
                        + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            }
            // a session only the database knows cannot be checked now: that is no "not found"
            var unknown = introspectWithin(Duration.ofSeconds(10), onlyInTheDatabase);
            assertProblem(unknown, 503, "session-store-unavailable");
            assertThat(unknown.headers().firstValue("Retry-After")).isPresent();
        } finally {
            TestInfra.get().startMariaDb();
        }
        // and once MariaDB is back, every session is there, the touch included
        await(
                () -> {
                    try {
                        return introspect(onlyInTheDatabase).statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                },
                "the database answers again");
        assertThat(introspect(dueForATouch).statusCode()).isEqualTo(200);
    }

    // --- expiry

    @Test
    void useSlidesTheExpiryButNeverPastTheAbsoluteMaximum() throws Exception {
        User user = register("Slide");
        String token = login(user);
        String hash = sha256(token);
        // as if the session had last been used a day ago and had an hour left
        jdbc.update(
                "UPDATE user_session SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?",
                ts(Instant.now().minus(Duration.ofDays(1))),
                ts(Instant.now().plus(Duration.ofHours(1))),
                hash);
        redis.delete("session:" + hash);

        assertThat(introspect(token).statusCode()).isEqualTo(200);
        Map<String, Object> row =
                jdbc.queryForMap("SELECT last_seen_at, expires_at FROM user_session WHERE token_hash = ?", hash);
        assertThat(((Timestamp) row.get("last_seen_at")).toInstant())
                .isAfter(Instant.now().minusSeconds(30));
        assertThat(((Timestamp) row.get("expires_at")).toInstant())
                .isAfter(Instant.now().plus(Duration.ofDays(7)).minusSeconds(60));
        assertThat(redis.getExpire("session:" + hash))
                .isGreaterThan(Duration.ofDays(6).toSeconds());

        // the absolute maximum is reached: no amount of use keeps it alive
        jdbc.update(
                "UPDATE user_session SET absolute_expires_at = ? WHERE token_hash = ?",
                ts(Instant.now().minusSeconds(1)),
                hash);
        redis.delete("session:" + hash);
        assertProblem(introspect(token), 404, "session-not-found");
    }

    @Test
    void expiredRevokedAndMalformedTokensAreRefused() throws Exception {
        User user = register("Life");
        String expired = login(user);
        jdbc.update(
                "UPDATE user_session SET expires_at = ? WHERE token_hash = ?",
                ts(Instant.now().minusSeconds(1)),
                sha256(expired));
        redis.delete("session:" + sha256(expired));
        assertProblem(introspect(expired), 404, "session-not-found");
        assertProblem(
                send("DELETE", "/api/v1/sessions/current", null, "Authorization", "Bearer " + expired),
                401,
                "unauthenticated");

        String revoked = login(user);
        send("DELETE", "/api/v1/sessions/current", null, "Authorization", "Bearer " + revoked);
        assertProblem(introspect(revoked), 404, "session-not-found");

        for (String malformed : List.of("", " ", "x", "a".repeat(300), "€∞§ not base64", revoked + "x")) {
            assertProblem(introspect(malformed), 404, "session-not-found");
        }
        // a session list without a verified user
        assertProblem(
                send("GET", "/api/v1/sessions", null, "Authorization", "Bearer " + revoked), 401, "unauthenticated");
    }

    // --- listing and revoking, BOLA

    @Test
    void aUserListsAndRevokesOnlyTheirOwnSessions() throws Exception {
        User alice = register("Alice");
        User bob = register("Bob");
        String aliceLaptop = login(alice);
        String alicePhone = login(alice);
        String bobToken = login(bob);

        var list = asUser(alice, aliceLaptop, "GET", "/api/v1/sessions", null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(aliceLaptop, alicePhone, sha256(aliceLaptop), sha256(alicePhone));
        JsonNode items = JSON.readTree(list.body()).get("items");
        assertThat(items).hasSize(2);
        long laptopId = -1;
        long phoneId = -1;
        for (JsonNode item : items) {
            assertThat(item.get("createdAt").asString()).isNotEmpty();
            assertThat(item.get("expiresAt").asString()).isNotEmpty();
            if (item.get("current").asBoolean()) {
                laptopId = item.get("id").asLong();
            } else {
                phoneId = item.get("id").asLong();
            }
        }
        assertThat(laptopId).isPositive();
        assertThat(phoneId).isPositive();

        // Bob can neither see nor end Alice's sessions, even knowing their ids
        JsonNode bobs = JSON.readTree(
                        asUser(bob, bobToken, "GET", "/api/v1/sessions", null).body())
                .get("items");
        assertThat(bobs).hasSize(1);
        assertProblem(asUser(bob, bobToken, "DELETE", "/api/v1/sessions/" + phoneId, null), 404, "session-not-found");
        assertThat(introspect(alicePhone).statusCode()).isEqualTo(200);
        // nor act as Alice: a claimed identity without the service credential is ignored
        assertProblem(
                send("DELETE", "/api/v1/sessions/" + phoneId, null, "X-User-Id", Long.toString(alice.id)),
                401,
                "unauthenticated");
        assertThat(introspect(alicePhone).statusCode()).isEqualTo(200);

        assertThat(asUser(alice, aliceLaptop, "DELETE", "/api/v1/sessions/" + phoneId, null)
                        .statusCode())
                .isEqualTo(204);
        assertProblem(introspect(alicePhone), 404, "session-not-found");
        assertThat(introspect(aliceLaptop).statusCode()).isEqualTo(200);
        assertProblem(
                asUser(alice, aliceLaptop, "DELETE", "/api/v1/sessions/" + phoneId, null), 404, "session-not-found");
        assertThat(awaitRevocations(Set.of(sha256(alicePhone)))).containsOnlyKeys(sha256(alicePhone));
    }

    // --- password change

    @Test
    void aPasswordChangeEndsEveryOtherSession() throws Exception {
        User user = register("Change");
        String here = login(user);
        String other1 = login(user);
        String other2 = login(user);
        String path = "/api/v1/users/me/password";

        assertProblem(
                asUser(
                        user,
                        here,
                        "PUT",
                        path,
                        json(Map.of("currentPassword", "wrong guess", "newPassword", "n3w pass"))),
                403,
                "wrong-password");
        assertProblem(
                asUser(user, here, "PUT", path, json(Map.of("currentPassword", PASSWORD, "newPassword", "short"))),
                400,
                "weak-password");
        assertThat(introspect(other1).statusCode()).isEqualTo(200);
        assertProblem(
                send("PUT", path, json(Map.of("currentPassword", PASSWORD, "newPassword", "a brand new one"))),
                401,
                "unauthenticated");

        var changed = asUser(
                user, here, "PUT", path, json(Map.of("currentPassword", PASSWORD, "newPassword", "a brand new one")));
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(204);
        assertThat(introspect(here).statusCode()).isEqualTo(200);
        assertProblem(introspect(other1), 404, "session-not-found");
        assertProblem(introspect(other2), 404, "session-not-found");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM user_session WHERE user_id = ?", Integer.class, user.id))
                .isEqualTo(1);
        var events = awaitRevocations(Set.of(sha256(other1), sha256(other2)));
        assertThat(events.values())
                .allSatisfy(e -> assertThat(e.get("userId").asLong()).isEqualTo(user.id));

        assertProblem(
                send("POST", "/api/v1/sessions", json(Map.of("username", user.name, "password", PASSWORD))),
                401,
                "invalid-credentials");
        assertThat(send("POST", "/api/v1/sessions", json(Map.of("username", user.name, "password", "a brand new one")))
                        .statusCode())
                .isEqualTo(201);
    }

    // --- profile

    @Test
    void aUserSetsTheirDisplayNameAndAvatar() throws Exception {
        User user = register("Prof");
        String token = login(user);
        var updated = asUser(
                user,
                token,
                "PATCH",
                "/api/v1/users/me",
                json(Map.of("displayName", " Pro File ", "avatarUrl", "https://img.example/a.png")));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(JSON.readTree(updated.body()).get("displayName").asString()).isEqualTo("Pro File");
        var profile =
                JSON.readTree(send("GET", "/api/v1/users/" + user.id, null).body());
        assertThat(profile.get("displayName").asString()).isEqualTo("Pro File");
        assertThat(profile.get("avatarUrl").asString()).isEqualTo("https://img.example/a.png");

        for (String bad : List.of(
                "javascript:alert(1)",
                "data:image/png;base64,AAAA",
                "/relative.png",
                "https://",
                "https://user:pw@img.example/a.png",
                "https://img.example/a b.png")) {
            assertProblem(
                    asUser(user, token, "PATCH", "/api/v1/users/me", json(Map.of("avatarUrl", bad))),
                    400,
                    "invalid-avatar-url");
        }
        assertProblem(
                asUser(user, token, "PATCH", "/api/v1/users/me", json(Map.of("displayName", "  "))),
                400,
                "invalid-request");
        // only the avatar changes; an empty URL removes it
        var cleared = asUser(user, token, "PATCH", "/api/v1/users/me", json(Map.of("avatarUrl", "")));
        assertThat(JSON.readTree(cleared.body()).get("avatarUrl").isNull()).isTrue();
        assertThat(JSON.readTree(cleared.body()).get("displayName").asString()).isEqualTo("Pro File");
        assertProblem(
                send(
                        "PATCH",
                        "/api/v1/users/me",
                        json(Map.of("displayName", "Hijack")),
                        "X-User-Id",
                        Long.toString(user.id)),
                401,
                "unauthenticated");
    }

    // --- brute force

    @Test
    void anAttackerAtOneAddressWaitsLongerAndLongerWhileTheOwnerLogsInAsUsual() throws Exception {
        User victim = register("Victim");
        String ownerDevice = deviceCookieOf(loginFrom(randomAddress(), victim.name, PASSWORD));
        String attacker = randomAddress();
        List<Long> waits = new ArrayList<>();
        int failures = 0;
        boolean justFailed = false;
        while (failures < 10) {
            var attempt = loginFrom(attacker, victim.name, "guess number " + failures);
            if (attempt.statusCode() == 429) {
                assertProblem(attempt, 429, "too-many-attempts");
                if (justFailed) {
                    waits.add(Long.parseLong(
                            attempt.headers().firstValue("Retry-After").orElseThrow()));
                    justFailed = false;
                }
                Thread.sleep(250);
                continue;
            }
            assertProblem(attempt, 401, "invalid-credentials");
            failures++;
            justFailed = true;
            if (failures == 5) {
                assertThat(waits).as("the first failures are free").isEmpty();
            }
        }
        // 1, 2, 4, 8 seconds: each failure past the free ones doubles the wait
        assertThat(waits).hasSizeGreaterThanOrEqualTo(4).isSorted().doesNotHaveDuplicates();
        assertThat(waits.getFirst()).isBetween(1L, 2L);

        // the owner is not locked out: from another address at once, or with their device from any address
        assertThat(loginFrom(randomAddress(), victim.name, PASSWORD).statusCode())
                .isEqualTo(201);
        assertThat(loginFrom(attacker, victim.name, PASSWORD, ownerDevice).statusCode())
                .isEqualTo(201);
        // while the attacker's own address still waits
        assertProblem(loginFrom(attacker, victim.name, PASSWORD), 429, "too-many-attempts");
    }

    @Test
    void aGuessSpreadOverManyAddressesHoldsUnknownDevicesButNotTheOwnersOwn() throws Exception {
        User victim = register("Spread");
        String ownerDevice = deviceCookieOf(loginFrom(randomAddress(), victim.name, PASSWORD));
        // 31 failures from 7 addresses, none past its pair's free five: only the account counter trips
        int block = ThreadLocalRandom.current().nextInt(256);
        for (int i = 0; i < 31; i++) {
            String address = "10.77." + block + "." + (1 + i / 5);
            assertProblem(loginFrom(address, victim.name, "guess " + i), 401, "invalid-credentials");
        }
        // three more from fresh addresses, each after the account's wait: the wait is 8 s now
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> attempt;
            while ((attempt = loginFrom(randomAddress(), victim.name, "more " + i)).statusCode() == 429) {
                Thread.sleep(250);
            }
            assertProblem(attempt, 401, "invalid-credentials");
        }
        var unknownDevice = loginFrom(randomAddress(), victim.name, PASSWORD);
        assertProblem(unknownDevice, 429, "too-many-attempts");
        assertThat(Long.parseLong(
                        unknownDevice.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 8L);
        assertThat(loginFrom(randomAddress(), victim.name, PASSWORD, ownerDevice)
                        .statusCode())
                .isEqualTo(201);
    }

    @Test
    void aBruteForceLoopFromOneAddressGetsATooManyAttempts() throws Exception {
        String address = randomAddress();
        for (int i = 0; i < 20; i++) {
            assertProblem(
                    loginFrom(
                            address,
                            "nobody_" + i + "_" + UUID.randomUUID().toString().substring(0, 8),
                            "pw12345678"),
                    401,
                    "invalid-credentials");
        }
        assertProblem(
                loginFrom(address, "nobody_" + UUID.randomUUID().toString().substring(0, 8), "pw12345678"),
                401,
                "invalid-credentials");
        User user = register("Sprayed");
        var refused = loginFrom(address, user.name, PASSWORD);
        assertProblem(refused, 429, "too-many-attempts");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(loginFrom(randomAddress(), user.name, PASSWORD).statusCode()).isEqualTo(201);
    }

    // --- storage

    @Test
    void neitherTheDatabaseNorRedisHoldsAPlainPasswordOrToken() throws Exception {
        String password = "plain-" + UUID.randomUUID();
        String name = unique("Store");
        long id = JSON.readTree(send("POST", "/api/v1/users", json(Map.of("username", name, "password", password)))
                        .body())
                .get("id")
                .asLong();
        String token = JSON.readTree(
                        send("POST", "/api/v1/sessions", json(Map.of("username", name, "password", password)))
                                .body())
                .get("token")
                .asString();
        assertThat(introspect(token).statusCode()).isEqualTo(200);

        List<String> stored = new ArrayList<>();
        for (String table : List.of("app_user", "user_session")) {
            jdbc.queryForList("SELECT * FROM " + table)
                    .forEach(row -> row.values().forEach(v -> stored.add(String.valueOf(v))));
        }
        for (String key : redis.keys("*")) {
            stored.add(key);
            if ("STRING".equals(redis.type(key).name())) {
                stored.add(String.valueOf(redis.opsForValue().get(key)));
            }
        }
        assertThat(stored).isNotEmpty().noneMatch(s -> s.contains(token) || s.contains(password));
        assertThat(stored).contains("session:" + sha256(token));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM user_session WHERE user_id = ?", Integer.class, id))
                .isEqualTo(1);
    }

    // --- OpenAPI

    @Test
    void theInternalApiIsDocumentedWithItsServiceCredential() throws Exception {
        var docs = send("GET", "/v3/api-docs", null);
        assertThat(docs.statusCode()).isEqualTo(200);
        JsonNode api = JSON.readTree(docs.body());
        JsonNode scheme = api.get("components").get("securitySchemes").get("serviceToken");
        assertThat(scheme.get("type").asString()).isEqualTo("apiKey");
        assertThat(scheme.get("in").asString()).isEqualTo("header");
        assertThat(scheme.get("name").asString()).isEqualTo("X-Service-Token");
        for (String path : List.of("/internal/v1/sessions/introspect", "/internal/v1/users/{id}")) {
            JsonNode operation = api.get("paths").get(path);
            assertThat(operation).as(path).isNotNull();
            JsonNode op = operation.has("post") ? operation.get("post") : operation.get("get");
            assertThat(op.get("security").toString()).contains("serviceToken");
        }
        assertThat(api.get("paths").has("/api/v1/sessions/{id}")).isTrue();
        assertThat(api.get("paths").has("/api/v1/users/me/password")).isTrue();
    }

    // --- helpers

    private record User(long id, String name) {}

    private User register(String prefix) throws Exception {
        String name = unique(prefix);
        var response = send("POST", "/api/v1/users", json(Map.of("username", name, "password", PASSWORD)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return new User(JSON.readTree(response.body()).get("id").asLong(), name);
    }

    private String login(User user) throws Exception {
        var response = loginFrom(randomAddress(), user.name, PASSWORD);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("token").asString();
    }

    /** A login from a device that has logged in before, with the cookie it was given then. */
    private HttpResponse<String> loginFrom(String address, String username, String password, String deviceCookie)
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

    private static String deviceCookieOf(HttpResponse<String> login) {
        assertThat(login.statusCode()).as(login.body()).isEqualTo(201);
        String setCookie = login.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("BARRAGE_DEVICE="))
                .findFirst()
                .orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("Path=/api/v1/sessions");
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    /** As the gateway forwards a login: the client's address next to the service credential. */
    private HttpResponse<String> loginFrom(String address, String username, String password) throws Exception {
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
    private HttpResponse<String> asUser(User user, String token, String method, String path, String body)
            throws Exception {
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

    private HttpResponse<String> introspect(String token) throws Exception {
        return send(
                "POST",
                "/internal/v1/sessions/introspect",
                json(Map.of("token", token)),
                "X-Service-Token",
                serviceToken);
    }

    /** A session check that must be answered within a functional bound (a dead store is no excuse). */
    private HttpResponse<String> introspectWithin(Duration bound, String token) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/sessions/introspect"))
                        .timeout(bound)
                        .POST(HttpRequest.BodyPublishers.ofString(json(Map.of("token", token))))
                        .header("Content-Type", "application/json")
                        .header("X-Service-Token", serviceToken)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void deleteAllSessionKeys() {
        Set<String> keys = redis.keys("session:*");
        if (!keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    private Map<String, JsonNode> awaitRevocations(Set<String> hashes) {
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

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private static String randomAddress() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(1, 255);
    }

    private static String sha256(String token) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    private static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception", "SQL", "at io.");
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static String json(Map<String, ?> body) {
        return JSON.writeValueAsString(body);
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
