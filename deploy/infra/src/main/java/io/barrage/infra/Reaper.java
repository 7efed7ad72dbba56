package io.barrage.infra;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Stops the native servers (mariadbd, redis-server) if this JVM dies without stopping them, for example
 * after a SIGKILL. The JVM servers need no such help: {@link ParentWatch} ends them.
 *
 * <p>A shell waits for this process to end, then signals whatever still runs on our MariaDB data folder
 * and our Redis port. It ignores SIGINT, so a Ctrl-C that kills the JVM mid-stop does not take it too.
 */
final class Reaper {

    private static final String SCRIPT = """
            trap '' INT
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            pkill -TERM -f -- "--datadir=$2( |$)"
            pkill -TERM -f -- "redis-server.* 127\\.0\\.0\\.1:$3$"
            sleep 15
            pkill -KILL -f -- "--datadir=$2( |$)"
            pkill -KILL -f -- "redis-server.* 127\\.0\\.0\\.1:$3$"
            """;

    private Reaper() {}

    static void watch(Path mariaDbDataDir, int redisPort) throws IOException {
        new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        SCRIPT,
                        "barrage-reaper",
                        Long.toString(ProcessHandle.current().pid()),
                        mariaDbDataDir.toAbsolutePath().toString(),
                        Integer.toString(redisPort))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
