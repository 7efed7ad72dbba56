package io.barrage.infra;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a child again when it dies, as Kubernetes restarts a crashed container: after a delay that
 * starts at {@code first}, doubles with each crash up to {@code max}, and goes back to {@code first} once
 * a life lasted {@code healthyAfter}. A child stopped on purpose ({@link #release}) is left alone.
 */
final class Supervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** The restart delays; Kubernetes' CrashLoopBackOff starts at 10 s and caps at 5 min, we start sooner. */
    record Backoff(Duration first, Duration max, Duration healthyAfter) {

        static Backoff standard() {
            return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1));
        }
    }

    /** Starts a new life of the child. */
    interface Launcher {
        ChildJvm launch() throws IOException;
    }

    private final class Watched {
        final String name;
        final Launcher launcher;
        volatile ChildJvm child;
        volatile boolean released;
        final List<Duration> delays = new ArrayList<>();
        Thread watcher;

        Watched(String name, ChildJvm child, Launcher launcher) {
            this.name = name;
            this.child = child;
            this.launcher = launcher;
        }

        void watch() {
            Duration next = backoff.first();
            long bornAt = System.nanoTime();
            while (!released && !closed) {
                int code;
                try {
                    code = child.waitFor();
                } catch (InterruptedException e) {
                    return;
                }
                if (released || closed) {
                    return;
                }
                Duration lived = Duration.ofNanos(System.nanoTime() - bornAt);
                if (lived.compareTo(backoff.healthyAfter()) >= 0) {
                    next = backoff.first();
                }
                synchronized (delays) {
                    delays.add(next);
                }
                log.warn(
                        "{} (pid {}) exited with {} after {} s; starting it again in {} ms",
                        name,
                        child.pid(),
                        code,
                        lived.toSeconds(),
                        next.toMillis());
                try {
                    TimeUnit.NANOSECONDS.sleep(next.toNanos());
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    if (released || closed) {
                        return;
                    }
                    try {
                        child = launcher.launch();
                        log.info("{} started again (pid {})", name, child.pid());
                    } catch (IOException | RuntimeException e) {
                        log.error("starting {} again failed; trying again later", name, e);
                    }
                }
                bornAt = System.nanoTime();
                Duration doubled = next.multipliedBy(2);
                next = doubled.compareTo(backoff.max()) > 0 ? backoff.max() : doubled;
            }
        }
    }

    private final Backoff backoff;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Supervisor(Backoff backoff) {
        this.backoff = backoff;
    }

    /** From now on, {@code child} is started again by {@code launcher} whenever it dies. */
    void supervise(String name, ChildJvm child, Launcher launcher) {
        Watched w = new Watched(name, child, launcher);
        if (watched.putIfAbsent(name, w) != null) {
            throw new IllegalStateException(name + " is already supervised");
        }
        w.watcher = Thread.ofPlatform().daemon(true).name("supervise-" + name).start(w::watch);
    }

    /** The child's current life (null if not supervised). */
    ChildJvm current(String name) {
        Watched w = watched.get(name);
        return w == null ? null : w.child;
    }

    /** Stops watching the child, which will not be started again; its current life, to stop or keep. */
    ChildJvm release(String name) {
        Watched w = watched.remove(name);
        if (w == null) {
            return null;
        }
        synchronized (w) {
            w.released = true;
        }
        w.watcher.interrupt();
        return w.child;
    }

    /** The delays before each restart so far, in order. */
    List<Duration> restartDelays(String name) {
        Watched w = watched.get(name);
        if (w == null) {
            return List.of();
        }
        synchronized (w.delays) {
            return List.copyOf(w.delays);
        }
    }

    /** Stops every restart (the children themselves are the owner's to stop). */
    @Override
    public void close() {
        closed = true;
        for (String name : List.copyOf(watched.keySet())) {
            release(name);
        }
    }
}
