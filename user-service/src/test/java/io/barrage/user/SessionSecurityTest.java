package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sessions: durable over Redis and MariaDB outages, sliding and absolute expiry, each user listing and
 * revoking only their own, and a password change ending every other session.
 */
class SessionSecurityTest extends SessionSecurityTestBase {

    // --- durability

    @Test
    void sessionsSurviveRedisLosingEverything() throws Exception {
        User alice = register("Lost");
        String token = login(alice);
        deleteAllSessionKeys();

        var answer = introspect(token);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).get("userId").asLong()).isEqualTo(alice.id());
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
                assertThat(JSON.readTree(answer.body()).get("userId").asLong()).isEqualTo(user.id());
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
                send("DELETE", "/api/v1/sessions/" + phoneId, null, "X-User-Id", Long.toString(alice.id())),
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
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM user_session WHERE user_id = ?", Integer.class, user.id()))
                .isEqualTo(1);
        var events = awaitRevocations(Set.of(sha256(other1), sha256(other2)));
        assertThat(events.values())
                .allSatisfy(e -> assertThat(e.get("userId").asLong()).isEqualTo(user.id()));

        assertProblem(
                send("POST", "/api/v1/sessions", json(Map.of("username", user.name(), "password", PASSWORD))),
                401,
                "invalid-credentials");
        assertThat(send(
                                "POST",
                                "/api/v1/sessions",
                                json(Map.of("username", user.name(), "password", "a brand new one")))
                        .statusCode())
                .isEqualTo(201);
    }
}
