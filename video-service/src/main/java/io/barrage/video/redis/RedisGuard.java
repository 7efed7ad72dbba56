package io.barrage.video.redis;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs Redis calls so that an outage degrades instead of failing: after a failure Redis is skipped for a
 * short while (so requests do not each pay the connect timeout), then tried again.
 */
@Component
public class RedisGuard {

    private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);
    private static final long SKIP_NANOS = Duration.ofSeconds(1).toNanos();

    private volatile long skipUntil = System.nanoTime();
    private volatile boolean down;

    /** False while Redis is known to be failing. */
    public boolean available() {
        return !down || System.nanoTime() - skipUntil >= 0;
    }

    /** The call's result, or {@code fallback} when Redis is unavailable. */
    public <T> T call(Supplier<T> call, T fallback) {
        if (!available()) {
            return fallback;
        }
        try {
            T result = call.get();
            recovered();
            return result;
        } catch (RuntimeException e) {
            failed(e);
            return fallback;
        }
    }

    /** Like {@link #call} but for callers that must know: false when it did not happen. */
    public boolean run(Runnable call) {
        return call(
                () -> {
                    call.run();
                    return Boolean.TRUE;
                },
                Boolean.FALSE);
    }

    public void failed(RuntimeException e) {
        if (!down) {
            log.warn("Redis unavailable, serving from MariaDB: {}", e.toString());
        }
        down = true;
        skipUntil = System.nanoTime() + SKIP_NANOS;
    }

    private void recovered() {
        if (down) {
            down = false;
            log.info("Redis is back");
        }
    }
}
