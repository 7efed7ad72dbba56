package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Accounts: the profile, login throttling that holds an attacker but not the owner, no plain password or
 * token in any store, and the internal API documented with its service credential.
 */
class AccountSecurityTest extends SessionSecurityTestBase {

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
                JSON.readTree(send("GET", "/api/v1/users/" + user.id(), null).body());
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
                        Long.toString(user.id())),
                401,
                "unauthenticated");
    }

    // --- brute force

    @Test
    void anAttackerAtOneAddressWaitsLongerAndLongerWhileTheOwnerLogsInAsUsual() throws Exception {
        User victim = register("Victim");
        String ownerDevice = deviceCookieOf(loginFrom(randomAddress(), victim.name(), PASSWORD));
        String attacker = randomAddress();
        List<Long> waits = new ArrayList<>();
        int failures = 0;
        boolean justFailed = false;
        while (failures < 10) {
            var attempt = loginFrom(attacker, victim.name(), "guess number " + failures);
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
        assertThat(loginFrom(randomAddress(), victim.name(), PASSWORD).statusCode())
                .isEqualTo(201);
        assertThat(loginFrom(attacker, victim.name(), PASSWORD, ownerDevice).statusCode())
                .isEqualTo(201);
        // while the attacker's own address still waits
        assertProblem(loginFrom(attacker, victim.name(), PASSWORD), 429, "too-many-attempts");
    }

    @Test
    void aGuessSpreadOverManyAddressesHoldsUnknownDevicesButNotTheOwnersOwn() throws Exception {
        User victim = register("Spread");
        String ownerDevice = deviceCookieOf(loginFrom(randomAddress(), victim.name(), PASSWORD));
        // 31 failures from 7 addresses, none past its pair's free five: only the account counter trips
        int block = ThreadLocalRandom.current().nextInt(256);
        for (int i = 0; i < 31; i++) {
            String address = "10.77." + block + "." + (1 + i / 5);
            assertProblem(loginFrom(address, victim.name(), "guess " + i), 401, "invalid-credentials");
        }
        // three more from fresh addresses, each after the account's wait: the wait is 8 s now
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> attempt;
            while ((attempt = loginFrom(randomAddress(), victim.name(), "more " + i)).statusCode() == 429) {
                Thread.sleep(250);
            }
            assertProblem(attempt, 401, "invalid-credentials");
        }
        var unknownDevice = loginFrom(randomAddress(), victim.name(), PASSWORD);
        assertProblem(unknownDevice, 429, "too-many-attempts");
        assertThat(Long.parseLong(
                        unknownDevice.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, 8L);
        assertThat(loginFrom(randomAddress(), victim.name(), PASSWORD, ownerDevice)
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
        var refused = loginFrom(address, user.name(), PASSWORD);
        assertProblem(refused, 429, "too-many-attempts");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(loginFrom(randomAddress(), user.name(), PASSWORD).statusCode())
                .isEqualTo(201);
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
}
