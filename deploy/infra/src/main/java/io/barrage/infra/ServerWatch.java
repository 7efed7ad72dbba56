package io.barrage.infra;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a server of the local stack again when it dies ({@code kill -9}, the OOM killer), as a container
 * runtime restarts Kafka, Redis or MariaDB in Compose or Kubernetes: the services then reconnect by
 * themselves, as they do in production. It looks once a second; the delays before a restart follow the
 * same backoff as the services' ({@link Supervisor.Backoff}). A server stopped or killed through
 * {@link Infra} (the chaos test does that, and restarts it itself) is left alone.
 */
final class ServerWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServerWatch.class);
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);

    private final Infra infra;
    private final Supervisor.Backoff backoff;
    private final Map<Infra.Server, Duration> nextDelay = new EnumMap<>(Infra.Server.class);
    private final Map<Infra.Server, Long> restartedAt = new EnumMap<>(Infra.Server.class);
    private final Map<Infra.Server, Integer> restarts = new EnumMap<>(Infra.Server.class);
    private final Thread thread;
    private volatile boolean closed;

    ServerWatch(Infra infra, Supervisor.Backoff backoff) {
        this.infra = infra;
        this.backoff = backoff;
        this.thread = Thread.ofPlatform().daemon(true).name("server-watch").start(this::run);
    }

    /** How many times the server was started again. */
    synchronized int restarts(Infra.Server server) {
        return restarts.getOrDefault(server, 0);
    }

    private void run() {
        while (!closed) {
            for (Infra.Server server : Infra.Server.values()) {
                if (closed) {
                    return;
                }
                if (infra.expected(server) && !infra.alive(server)) {
                    restart(server);
                }
            }
            if (!pause(LOOK_EVERY)) {
                return;
            }
        }
    }

    private void restart(Infra.Server server) {
        Duration delay = delayFor(server);
        log.warn("{} died; starting it again in {} ms", server, delay.toMillis());
        if (!pause(delay) || closed) {
            return;
        }
        try {
            infra.recover(server);
            synchronized (this) {
                restarts.merge(server, 1, Integer::sum);
                restartedAt.put(server, System.nanoTime());
            }
            log.info("{} started again", server);
        } catch (Exception e) {
            log.error("starting {} again failed; trying again later", server, e);
        }
    }

    /** Doubles with each death, back to the first delay once a life lasted {@code healthyAfter}. */
    private synchronized Duration delayFor(Infra.Server server) {
        Long last = restartedAt.get(server);
        Duration delay = nextDelay.getOrDefault(server, backoff.first());
        if (last == null || Duration.ofNanos(System.nanoTime() - last).compareTo(backoff.healthyAfter()) >= 0) {
            delay = backoff.first();
        }
        Duration doubled = delay.multipliedBy(2);
        nextDelay.put(server, doubled.compareTo(backoff.max()) > 0 ? backoff.max() : doubled);
        return delay;
    }

    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
