package io.barrage.user.attempts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.barrage.user.web.ApiException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Counts failed password checks per account and per client address.
 *
 * <p>Redis holds the counters, so every instance sees the same numbers. When Redis cannot be reached
 * the counting goes on in this instance's memory with the same limits: logins keep working during an
 * outage, and a brute-force loop is still stopped, at worst after (instances × limit) attempts.
 * Refusing every login instead would turn a Redis outage into a login outage.
 */
@Component
public class PasswordAttempts {

    private static final Logger log = LoggerFactory.getLogger(PasswordAttempts.class);

    // Returns the longest wait (ms) among the counters at or over their limit, 0 when none is.
    private static final RedisScript<Long> CHECK = RedisScript.of("""
            local wait = 0
            for i, key in ipairs(KEYS) do
              local n = tonumber(redis.call('GET', key) or '0')
              if n >= tonumber(ARGV[i]) then
                local ttl = redis.call('PTTL', key)
                if ttl > wait then wait = ttl end
              end
            end
            return wait
            """, Long.class);

    // One failure; the window starts with the first one, so a counter can never outlive it.
    private static final RedisScript<Long> FAIL = RedisScript.of("""
            for i, key in ipairs(KEYS) do
              if redis.call('INCR', key) == 1 then
                redis.call('PEXPIRE', key, ARGV[1])
              end
            end
            return 1
            """, Long.class);

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_]{1,32}");

    private final StringRedisTemplate redis;
    private final AttemptProperties properties;
    private final Cache<String, AtomicInteger> local;

    PasswordAttempts(StringRedisTemplate redis, AttemptProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.local = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(properties.window())
                .build();
    }

    /** Refuses with 429 {@code too-many-attempts} when the account or the address is over its limit. */
    public void check(String username, String address) {
        List<String> keys = keys(username, address);
        Duration wait;
        try {
            Long millis = redis.execute(
                    CHECK,
                    keys,
                    Integer.toString(properties.maxPerAccount()),
                    Integer.toString(properties.maxPerAddress()));
            wait = Duration.ofMillis(millis == null ? 0 : millis);
        } catch (RuntimeException e) {
            log.warn("login attempt counters unreachable in Redis, counting locally: {}", e.toString());
            wait = localWait(keys);
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
        List<String> keys = keys(username, address);
        try {
            redis.execute(FAIL, keys, Long.toString(properties.window().toMillis()));
        } catch (RuntimeException e) {
            log.warn("login attempt counters unreachable in Redis, counting locally: {}", e.toString());
        }
        // always counted here too, so an outage that starts now still finds the recent failures
        keys.forEach(key -> local.get(key, k -> new AtomicInteger()).incrementAndGet());
    }

    /** A correct password clears the account's counter; the address keeps its count. */
    public void succeeded(String username) {
        String key = accountKey(username);
        local.invalidate(key);
        try {
            redis.delete(key);
        } catch (RuntimeException e) {
            log.warn("could not clear the login attempt counter: {}", e.toString());
        }
    }

    private Duration localWait(List<String> keys) {
        AtomicInteger account = local.getIfPresent(keys.get(0));
        AtomicInteger address = local.getIfPresent(keys.get(1));
        boolean over = (account != null && account.get() >= properties.maxPerAccount())
                || (address != null && address.get() >= properties.maxPerAddress());
        // the local window's exact age is not kept; the whole window is an honest upper bound
        return over ? properties.window() : Duration.ZERO;
    }

    private static List<String> keys(String username, String address) {
        return List.of(accountKey(username), "login:fail:ip:" + address);
    }

    private static String accountKey(String username) {
        // a name that cannot exist shares one counter, so garbage names cannot fill Redis
        String name =
                username != null && USERNAME.matcher(username).matches() ? username.toLowerCase(Locale.ROOT) : "-";
        return "login:fail:user:" + name;
    }
}
