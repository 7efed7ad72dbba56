package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/local/up does when a service dies: the child (here a {@code sleep}, standing in for a service's
 * JVM) is started again, after delays that double up to a cap and start over after a healthy life, and a
 * child stopped on purpose stays stopped. Before this, a killed service stayed dead until the whole stack
 * was restarted.
 */
class SupervisorTest {

    private static final Supervisor.Backoff BACKOFF =
            new Supervisor.Backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(3));

    @TempDir
    Path logs;

    private final List<ChildJvm> lives = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEverything() {
        lives.forEach(ChildJvm::kill);
    }

    private ChildJvm launch() throws java.io.IOException {
        ChildJvm child = ChildJvm.launch("sleeper", List.of("sleep", "120"), Map.of(), logs.resolve("sleeper.log"));
        lives.add(child);
        return child;
    }

    @Test
    void aChildKilledAgainAndAgainComesBackAfterDoublingDelaysThatStartOverOnceItLivedLongEnough() throws Exception {
        try (Supervisor supervisor = new Supervisor(BACKOFF)) {
            supervisor.supervise("sleeper", launch(), this::launch);

            for (int crash = 1; crash <= 4; crash++) {
                killAndAwaitNextLife(supervisor);
            }
            assertThat(supervisor.restartDelays("sleeper"))
                    .containsExactly(
                            Duration.ofMillis(50),
                            Duration.ofMillis(100),
                            Duration.ofMillis(200),
                            Duration.ofMillis(200));
            assertThat(lives).hasSize(5);

            // A life longer than healthyAfter: the next crash is treated as a first one again.
            Thread.sleep(BACKOFF.healthyAfter().toMillis() + 200);
            killAndAwaitNextLife(supervisor);
            assertThat(supervisor.restartDelays("sleeper").getLast()).isEqualTo(Duration.ofMillis(50));
        }
    }

    @Test
    void aChildStoppedOnPurposeIsNotStartedAgain() throws Exception {
        try (Supervisor supervisor = new Supervisor(BACKOFF)) {
            supervisor.supervise("sleeper", launch(), this::launch);
            ChildJvm last = supervisor.release("sleeper");
            last.close();
            assertThat(last.isAlive()).isFalse();
            // Many times the restart delay: nothing comes back.
            Thread.sleep(BACKOFF.max().toMillis() * 3);
            assertThat(lives).hasSize(1);
            assertThat(supervisor.current("sleeper")).isNull();
        }
    }

    private static void killAndAwaitNextLife(Supervisor supervisor) throws InterruptedException {
        ChildJvm before = supervisor.current("sleeper");
        before.kill();
        await(() -> supervisor.current("sleeper") != before
                && supervisor.current("sleeper").isAlive());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 20 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
