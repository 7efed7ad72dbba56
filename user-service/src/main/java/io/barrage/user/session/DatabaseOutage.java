package io.barrage.user.session;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether session checks may ask MariaDB now. After a failure they do not, for the retry interval; then
 * one check at a time tries again (a probe), the others keep answering from Redis until it succeeds.
 * Without this, every check of a session due for a touch would wait out the pool's connection timeout.
 */
final class DatabaseOutage {

    private final long retryNanos;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile long failedAt;
    private volatile boolean down;

    DatabaseOutage(Duration retryInterval) {
        this.retryNanos = retryInterval.toNanos();
    }

    /** True when this caller may use the database: it is up, or this caller is the one probe. */
    boolean tryDatabase() {
        if (!down) {
            return true;
        }
        return System.nanoTime() - failedAt >= retryNanos && probing.compareAndSet(false, true);
    }

    /** Ends a try started by {@link #tryDatabase()}, whatever its outcome. */
    void tried() {
        probing.set(false);
    }

    void failed() {
        failedAt = System.nanoTime();
        down = true;
    }

    void succeeded() {
        down = false;
    }
}
