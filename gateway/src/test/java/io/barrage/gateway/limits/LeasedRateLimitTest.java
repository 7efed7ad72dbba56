package io.barrage.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.TimeoutOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.ratelimit.RateLimiter.Response;
import org.springframework.cloud.gateway.filter.ratelimit.RedisRateLimiter;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Token leases on real Redis: limiter instances sharing one Redis, as gateway replicas do, each taking a
 * key's tokens a lease at a time. Leases never expire during these tests (a ttl of a minute) unless a
 * test says so, so every count below is exact whatever the machine's speed.
 */
class LeasedRateLimitTest {

    private static final String ROUTE = "danmaku-post";
    private static final Duration NO_EXPIRY = Duration.ofMinutes(1);

    private static final LettuceConnectionFactory factory = connect();
    private static final ReactiveStringRedisTemplate redis = new ReactiveStringRedisTemplate(factory);

    @AfterAll
    static void close() {
        factory.destroy();
    }

    @Test
    void theGlobalLimitHoldsExactlyAcrossTwoInstancesLeasingFromOneRedis() {
        // 2/s, burst 40; leases of 8 (window 5 s → 10, capped at 8)
        var a = limiter(2, 40, new LeaseProperties(8, Duration.ofSeconds(5), NO_EXPIRY, 1000));
        var b = limiter(2, 40, new LeaseProperties(8, Duration.ofSeconds(5), NO_EXPIRY, 1000));
        String user = "user:" + System.nanoTime();

        int allowedA = 0;
        int allowedB = 0;
        List<Boolean> last = new ArrayList<>();
        long start = System.nanoTime();
        // the user's requests alternate between the instances until both refuse in a row
        for (int i = 0; i < 2000 && !(last.size() >= 2 && !last.getLast() && !last.get(last.size() - 2)); i++) {
            boolean onA = i % 2 == 0;
            boolean allowed = (onA ? a : b).isAllowed(ROUTE, user).block().isAllowed();
            last.add(allowed);
            if (allowed && onA) {
                allowedA++;
            } else if (allowed) {
                allowedB++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        int allowed = allowedA + allowedB;
        assertThat(allowedA).as("instance A admitted from its leases").isPositive();
        assertThat(allowedB).as("instance B admitted from its leases").isPositive();
        // never more than the bucket gave out: its burst plus its refill over the test
        assertThat(allowed).isLessThanOrEqualTo(40 + (int) Math.ceil(2 * seconds));
        // and, both leases being empty when both refused, nothing leased was lost
        assertThat(allowed).isGreaterThanOrEqualTo(40);
    }

    @Test
    void oneInstanceAsksRedisOncePerLeaseNotOncePerRequest() {
        String user = "user:" + System.nanoTime();
        // 1000/s, burst 1000: leases of 32
        var leasing = limiter(1000, 1000, new LeaseProperties(32, Duration.ofSeconds(1), NO_EXPIRY, 1000));
        long before = scriptCalls();
        List<Response> responses = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            responses.add(leasing.isAllowed(ROUTE, user).block());
        }
        long leasingCalls = scriptCalls() - before;

        assertThat(responses).allMatch(Response::isAllowed);
        assertThat(leasingCalls).as("Redis calls for 320 requests").isBetween(10L, 20L);
        // the client still sees what is left of its limit, falling as it spends
        long remaining = remaining(responses.getLast());
        assertThat(remaining).isBetween(1000L - 320, 1000L - 1);
        assertThat(remaining).isLessThan(remaining(responses.getFirst()));

        // a lease of 1 is the library's behaviour: one Redis call per request
        String other = "user:" + System.nanoTime();
        var unleased = limiter(1000, 1000, new LeaseProperties(1, Duration.ofSeconds(1), NO_EXPIRY, 1000));
        before = scriptCalls();
        for (int i = 0; i < 320; i++) {
            assertThat(unleased.isAllowed(ROUTE, other).block().isAllowed()).isTrue();
        }
        assertThat(scriptCalls() - before).isGreaterThanOrEqualTo(320);
    }

    @Test
    void leasedTokensUnusedWithinTheirTimeToLiveAreDropped() throws Exception {
        var leases = new TokenLeases(10, Duration.ofMillis(1));
        leases.add("k", 5, 10);
        Thread.sleep(20);
        assertThat(leases.take("k", 1)).isEqualTo(-1);

        var lasting = new TokenLeases(10, NO_EXPIRY);
        lasting.add("k", 5, 10);
        assertThat(lasting.take("k", 1)).isEqualTo(4 + 10);
    }

    @Test
    void keysHoldingALeaseAreBoundedInNumber() {
        var leases = new TokenLeases(100, NO_EXPIRY);
        for (int i = 0; i < 10_000; i++) {
            leases.add("k" + i, 1, 0);
        }
        int held = 0;
        for (int i = 0; i < 10_000; i++) {
            held += leases.take("k" + i, 1) >= 0 ? 1 : 0;
        }
        assertThat(held).isLessThanOrEqualTo(100);
    }

    @Test
    void whileRedisIsDownALeasingInstanceStillLimitsInMemoryAndLeasesAgainWhenRedisIsBack() throws Exception {
        // 1/s, burst 10: leases of 8
        var limiter = limiter(1, 10, new LeaseProperties(8, Duration.ofSeconds(10), NO_EXPIRY, 1000));
        String user = "user:" + System.nanoTime();
        assertThat(limiter.isAllowed(ROUTE, user).block().isAllowed()).isTrue();

        TestInfra.get().stopRedis();
        int allowed = 0;
        boolean refused = false;
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 300 && !refused; i++) {
                boolean ok = limiter.isAllowed(ROUTE, user).block().isAllowed();
                allowed += ok ? 1 : 0;
                refused = !ok;
            }
        } finally {
            TestInfra.get().startRedis();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // fail open, but bounded: the 7 tokens still leased, then this instance's own bucket of 10
        assertThat(refused).isTrue();
        assertThat(allowed).isBetween(7 + 10, 7 + 10 + (int) Math.ceil(seconds));

        // once Redis is back, a new key's tokens are leased from it again
        String fresh = "user:" + System.nanoTime();
        await(() -> limiter.isAllowed(ROUTE, fresh).block().isAllowed() && inRedis(fresh), "leasing from Redis again");
    }

    // --- helpers

    private static ResilientRateLimiter limiter(int perSecond, long burst, LeaseProperties lease) {
        var limiter = new ResilientRateLimiter(redis, null, RateLimitConfig.leaseScript(), null, lease);
        limiter.getConfig()
                .put(
                        ROUTE,
                        new RedisRateLimiter.Config()
                                .setReplenishRate(perSecond)
                                .setBurstCapacity(burst));
        return limiter;
    }

    /** Whether the key's bucket is in Redis (false while the client is still reconnecting). */
    private static boolean inRedis(String id) {
        try {
            return Boolean.TRUE.equals(
                    redis.hasKey(ResilientRateLimiter.keys(ROUTE, id).getFirst())
                            .block());
        } catch (RuntimeException reconnecting) {
            return false;
        }
    }

    private static long remaining(Response response) {
        return Long.parseLong(response.getHeaders().get(RedisRateLimiter.REMAINING_HEADER));
    }

    /** Script runs Redis has served (EVALSHA, and EVAL when the script was not cached yet). */
    private static long scriptCalls() {
        try (var connection = factory.getConnection()) {
            Properties stats = connection.serverCommands().info("commandstats");
            return calls(stats, "cmdstat_evalsha") + calls(stats, "cmdstat_eval");
        }
    }

    private static long calls(Properties stats, String command) {
        String line = stats.getProperty(command);
        if (line == null) {
            return 0;
        }
        for (String part : line.split(",")) {
            if (part.startsWith("calls=")) {
                return Long.parseLong(part.substring("calls=".length()));
            }
        }
        return 0;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    private static LettuceConnectionFactory connect() {
        var infra = TestInfra.get();
        var server = new RedisStandaloneConfiguration("127.0.0.1", infra.redisPort());
        server.setPassword(infra.redisPassword());
        // as the gateway's client is configured (RateLimitConfig): fail at once while Redis is down
        var client = LettuceClientConfiguration.builder()
                .clientOptions(ClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500)))
                        .build())
                .build();
        var factory = new LettuceConnectionFactory(server, client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
