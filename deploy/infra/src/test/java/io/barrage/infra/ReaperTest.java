package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper stops the servers its JVM left behind, and only those: not the servers of a stack started on
 * the same data folder right after (deploy/local/down, then up, killed the new MariaDB with SIGKILL).
 * The "servers" are shells whose command lines look like mariadbd's and redis-server's.
 */
class ReaperTest {

    @TempDir
    Path data;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopEverything() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void afterItsJvmDiesItStopsThatJvmsServersAndLeavesANewStacksAlone() throws Exception {
        Path mariaDb = data.resolve("mariadb");
        int redisPort = 9; // no test Redis listens there
        Process jvm = start("sleep", "300");
        Process oldMariaDb = fakeServer(false, "fake-mariadbd", "--datadir=" + mariaDb, "--port=1");
        Process oldRedis = fakeServer(true, "redis-server", "127.0.0.1:" + redisPort); // ignores SIGTERM
        Process elsewhere = fakeServer(false, "fake-mariadbd", "--datadir=" + mariaDb + "-other");
        awaitCommandLines(oldMariaDb, oldRedis, elsewhere);

        Process reaper = Reaper.watch(jvm.pid(), mariaDb, redisPort, Duration.ofSeconds(4));
        started.add(reaper);

        jvm.destroyForcibly();
        await(() -> !oldMariaDb.isAlive(), "the old MariaDB stops on SIGTERM");
        // A new stack starts on the same folder while the old Redis ignores SIGTERM.
        Process newMariaDb = fakeServer(false, "fake-mariadbd", "--datadir=" + mariaDb, "--port=2");
        Process newRedis = fakeServer(false, "redis-server", "127.0.0.1:" + redisPort);
        awaitCommandLines(newMariaDb, newRedis);
        assertThat(oldRedis.isAlive()).isTrue();

        await(() -> !oldRedis.isAlive(), "the old Redis is killed after the grace period");
        assertThat(reaper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(newMariaDb.isAlive()).isTrue();
        assertThat(newRedis.isAlive()).isTrue();
        assertThat(elsewhere.isAlive()).isTrue();
    }

    /** A shell with the given arguments on its command line, looping until signalled. */
    private Process fakeServer(boolean ignoreTerm, String... args) throws Exception {
        String loop = (ignoreTerm ? "trap '' TERM; " : "") + "while :; do sleep 1; done";
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", loop));
        command.addAll(List.of(args));
        return start(command.toArray(String[]::new));
    }

    private Process start(String... command) throws Exception {
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        started.add(process);
        return process;
    }

    /** Until each shell's command line is readable, which is what the reaper looks for. */
    private static void awaitCommandLines(Process... processes) throws InterruptedException {
        for (Process process : processes) {
            await(() -> process.info().commandLine().isPresent(), "command line of " + process.pid());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
