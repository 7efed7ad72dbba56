package io.barrage.user.attempts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.barrage.platform.problem.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Slows password guessing down without locking the account's owner out (see {@link AttemptProperties}).
 *
 * <p>Failures are counted per (account, client address), per address and per account; past a counter's
 * free failures every further failure makes the counter wait, doubling each time up to a cap, and while a
 * counter waits its checks are refused with 429 {@code too-many-attempts} and the remaining wait as
 * {@code Retry-After}, before the password is even looked at. An attacker at one address therefore only
 * slows down their own (account, address) pair and their address: the owner elsewhere logs in as usual.
 * The per-account counter stops a guess spread over many addresses; a device that has logged in to the
 * account before ({@link KnownDevices}) is not held by it, nor by the address counters, only by its own
 * (account, device) counter, so the owner on a known device is never held up by anyone else's failures.
 *
 * <p>Redis holds the counters, so every instance sees the same numbers. When Redis cannot be reached
 * the counting goes on in this instance's memory with the same rules: logins keep working during an
 * outage, and a guessing loop is still slowed down.
 */
@Component
public class PasswordAttempts {

    private static final Logger log = LoggerFactory.getLogger(PasswordAttempts.class);

    // KEYS: the wait keys; returns the longest remaining wait (ms), 0 when none waits
    private static final RedisScript<Long> CHECK = RedisScript.of("""
            local wait = 0
            for i, key in ipairs(KEYS) do
              local ttl = redis.call('PTTL', key)
              if ttl > wait then wait = ttl end
            end
            return wait
            """, Long.class);

    // KEYS: n counters, then their n wait keys; ARGV: window ms, first delay ms, max delay ms, n free counts.
    // A counter's window starts with its first failure, so it can never outlive it.
    private static final RedisScript<Long> FAIL = RedisScript.of("""
            local n = #KEYS / 2
            local window = tonumber(ARGV[1])
            local first = tonumber(ARGV[2])
            local max = tonumber(ARGV[3])
            local wait = 0
            for i = 1, n do
              local count = redis.call('INCR', KEYS[i])
              if count == 1 then redis.call('PEXPIRE', KEYS[i], window) end
              local free = tonumber(ARGV[3 + i])
              if count > free then
                local delay = math.min(first * math.pow(2, math.min(count - free - 1, 30)), max)
                redis.call('SET', KEYS[n + i], '1', 'PX', math.floor(delay))
                if delay > wait then wait = delay end
              end
            end
            return wait
            """, Long.class);

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_]{1,32}");

    private final StringRedisTemplate redis;
    private final AttemptProperties properties;
    private final Cache<String, AtomicLong> localCounts;
    private final Cache<String, Long> localWaitsUntil;

    PasswordAttempts(StringRedisTemplate redis, AttemptProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.localCounts = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(properties.window())
                .build();
        this.localWaitsUntil = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(properties.maxDelay())
                .build();
    }

    /** A counter and the number of failures it lets pass freely. */
    private record Counter(String key, int free) {
        String waitKey() {
            return key + ":wait";
        }
    }

    /** As {@link #check(String, String, String)} for a caller on no known device. */
    public void check(String username, String address) {
        check(username, address, null);
    }

    /**
     * Refuses with 429 {@code too-many-attempts} while one of the caller's counters waits.
     *
     * @param knownDevice the hash of the caller's device when {@link KnownDevices} knows it for this
     *     account, else null
     */
    public void check(String username, String address, String knownDevice) {
        List<Counter> counters = counters(username, address, knownDevice);
        Duration wait;
        try {
            Long millis =
                    redis.execute(CHECK, counters.stream().map(Counter::waitKey).toList());
            wait = Duration.ofMillis(millis == null ? 0 : millis);
        } catch (RuntimeException e) {
            log.warn("login attempt counters unreachable in Redis, counting locally: {}", e.toString());
            wait = localWait(counters);
        }
        if (wait.isPositive()) {
            throw new ApiException(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "too-many-attempts",
                            "Too many failed attempts; try again later.")
                    .retryAfter(wait);
        }
    }

    public void failed(String username, String address) {
        failed(username, address, null);
    }

    public void failed(String username, String address, String knownDevice) {
        List<Counter> counters = counters(username, address, knownDevice);
        List<String> keys = new ArrayList<>();
        counters.forEach(c -> keys.add(c.key()));
        counters.forEach(c -> keys.add(c.waitKey()));
        List<String> args = new ArrayList<>(List.of(
                Long.toString(properties.window().toMillis()),
                Long.toString(properties.firstDelay().toMillis()),
                Long.toString(properties.maxDelay().toMillis())));
        counters.forEach(c -> args.add(Integer.toString(c.free())));
        try {
            redis.execute(FAIL, keys, args.toArray());
        } catch (RuntimeException e) {
            log.warn("login attempt counters unreachable in Redis, counting locally: {}", e.toString());
        }
        // always counted here too, so an outage that starts now still finds the recent failures
        long now = System.nanoTime();
        for (Counter counter : counters) {
            long failures =
                    localCounts.get(counter.key(), k -> new AtomicLong()).incrementAndGet();
            Duration delay = properties.delayAfter(failures, counter.free());
            if (delay.isPositive()) {
                localWaitsUntil.put(counter.key(), now + delay.toNanos());
            }
        }
    }

    /** A correct password clears the counter of the caller's own (account, address or device) pair. */
    public void succeeded(String username, String address, String knownDevice) {
        Counter own = counters(username, address, knownDevice).getFirst();
        localCounts.invalidate(own.key());
        localWaitsUntil.invalidate(own.key());
        try {
            redis.delete(List.of(own.key(), own.waitKey()));
        } catch (RuntimeException e) {
            log.warn("could not clear the login attempt counter: {}", e.toString());
        }
    }

    private Duration localWait(List<Counter> counters) {
        long now = System.nanoTime();
        long longest = 0;
        for (Counter counter : counters) {
            Long until = localWaitsUntil.getIfPresent(counter.key());
            if (until != null && until - now > longest) {
                longest = until - now;
            }
        }
        return Duration.ofNanos(longest);
    }

    /** The caller's own pair first. */
    private List<Counter> counters(String username, String address, String knownDevice) {
        String account = accountName(username);
        if (knownDevice != null) {
            return List.of(new Counter(
                    "login:fail:device:" + account + ":" + knownDevice, properties.freePerAccountAndAddress()));
        }
        return List.of(
                new Counter("login:fail:pair:" + account + ":" + address, properties.freePerAccountAndAddress()),
                new Counter("login:fail:ip:" + address, properties.freePerAddress()),
                new Counter("login:fail:user:" + account, properties.freePerAccount()));
    }

    private static String accountName(String username) {
        // a name that cannot exist shares one counter, so garbage names cannot fill Redis
        return username != null && USERNAME.matcher(username).matches() ? username.toLowerCase(Locale.ROOT) : "-";
    }
}
