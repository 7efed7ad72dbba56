package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Sessions at the edge: the verified identity replaces whatever the client claimed, a token that cannot be
 * checked is never served as anonymous, the stale window, the near-cache and logout.
 */
class GatewaySessionTest extends GatewayTestBase {

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
}
