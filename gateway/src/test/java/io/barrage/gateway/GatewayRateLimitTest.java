package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rate limits at the edge, on real Redis: writes per user, credential checks per address, the DPlayer send
 * in the danmaku bucket, resumable upload chunks per user, and what holds while Redis is down.
 */
class GatewayRateLimitTest extends GatewaySecurityTestBase {

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
