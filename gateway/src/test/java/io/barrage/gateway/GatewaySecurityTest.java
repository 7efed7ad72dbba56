package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.gateway.identity.RevocationListener;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;
import tools.jackson.databind.JsonNode;

/**
 * The edge's security features besides rate limits: revocations on user.events reach every instance, the
 * near-cache's hit rate, spoofed identity headers, CORS, body limits, the DPlayer token and anonymous uploads.
 */
class GatewaySecurityTest extends GatewaySecurityTestBase {

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
}
