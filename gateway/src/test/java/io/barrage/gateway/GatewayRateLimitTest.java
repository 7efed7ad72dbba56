package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Rate limits at the edge, on real Redis: writes per user, credential checks per address, the DPlayer send
 * in the danmaku bucket, resumable upload chunks per user, and what holds while Redis is down.
 */
class GatewayRateLimitTest extends GatewaySecurityTestBase {

    @Autowired
    RedisConnectionFactory redisConnections;

    @Test
    void twoGatewaysLeasingTokensFromOneRedisHoldAUsersDanmakuLimitBetweenThemWithFewRedisCalls() throws Exception {
        // 1/s, burst 40, leases of 10 (1/s × 10 s), kept a minute so the count below is exact at any speed
        Map<String, String> leasing = new LinkedHashMap<>(commonProperties());
        leasing.put("barrage.gateway.rate-limits.danmaku-post.burst", "40");
        leasing.put("barrage.gateway.rate-limits.lease.window", "10s");
        leasing.put("barrage.gateway.rate-limits.lease.ttl", "1m");
        ConfigurableApplicationContext a = startGateway(leasing);
        ConfigurableApplicationContext b = startGateway(leasing);
        try {
            List<Integer> ports = List.of(portOf(a), portOf(b));
            String frank = "Bearer user-1040-" + System.nanoTime();
            long callsBefore = scriptCalls();
            long start = System.nanoTime();
            List<Integer> statuses = new ArrayList<>();
            // the user's POSTs alternate between the gateways until both refuse in a row
            for (int i = 0; i < 1000 && !bothRefused(statuses); i++) {
                var response = post(ports.get(i % 2), "/api/v1/videos/1/danmaku", "{}", "Authorization", frank);
                statuses.add(response.statusCode());
                if (response.statusCode() == 200) {
                    assertThat(Long.parseLong(response.headers()
                                    .firstValue("X-RateLimit-Remaining")
                                    .orElseThrow()))
                            .isBetween(0L, 40L);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long admitted = statuses.stream().filter(s -> s == 200).count();
            long calls = scriptCalls() - callsBefore;

            assertThat(statuses).as("statuses %s", statuses).containsOnly(200, 429);
            // never more than the global bucket gave out (burst + refill), never less than its burst
            assertThat(admitted).isBetween(40L, 40L + (long) Math.ceil(seconds));
            // a Redis call per lease (and per refusal), not per POST
            assertThat(calls).as("Redis calls for %d POSTs", statuses.size()).isLessThan(admitted / 3);
        } finally {
            b.close();
            a.close();
        }
    }

    private static boolean bothRefused(List<Integer> statuses) {
        int n = statuses.size();
        return n >= 2 && statuses.get(n - 1) == 429 && statuses.get(n - 2) == 429;
    }

    private static ConfigurableApplicationContext startGateway(Map<String, String> properties) {
        return new SpringApplicationBuilder(GatewayApplication.class)
                // its own event loops, so closing it does not dispose the ones this JVM shares
                .initializers(context -> ((GenericApplicationContext) context)
                        .registerBean(ReactorResourceFactory.class, () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            return resources;
                        }))
                .run(toArgs(properties));
    }

    private static int portOf(ConfigurableApplicationContext gateway) {
        return Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
    }

    /** Script runs Redis has served (EVALSHA, and EVAL when the script was not cached yet). */
    private long scriptCalls() {
        try (var connection = redisConnections.getConnection()) {
            Properties stats = connection.serverCommands().info("commandstats");
            long calls = 0;
            for (String command : List.of("cmdstat_evalsha", "cmdstat_eval")) {
                String line = stats.getProperty(command, "calls=0,");
                calls += Long.parseLong(line.substring("calls=".length(), line.indexOf(',')));
            }
            return calls;
        }
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
}
