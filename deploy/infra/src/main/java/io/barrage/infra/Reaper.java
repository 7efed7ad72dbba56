package io.barrage.infra;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Stops the native servers (mariadbd, redis-server) if this JVM dies without stopping them, for example
 * after a SIGKILL. The JVM servers need no such help: {@link ParentWatch} ends them.
 *
 * <p>A shell notes the pids of the servers running on our MariaDB data folder and our Redis port while this
 * JVM is alive, waits for the JVM to end, then stops those processes, and only those: SIGTERM, and SIGKILL
 * to whatever is left after a grace period. A stack started on the same folder right after this one
 * stopped (deploy/local/down, then up) runs servers with other pids, so they are left alone. The shell
 * ignores SIGINT, so a Ctrl-C that kills the JVM mid-stop does not take it too.
 */
final class Reaper {

    static final Duration GRACE = Duration.ofSeconds(15);

    private static final String SCRIPT = """
            trap '' INT
            parent=$1 datadir=$2 port=$3 grace=$4
            servers() {
              pgrep -f -- "--datadir=$datadir( |$)"
              pgrep -f -- "redis-server.* 127\\.0\\.0\\.1:$port$"
            }
            ours=$(servers | tr '\\n' ' ')
            left() {
              now=" $(servers | tr '\\n' ' ') "
              for pid in $ours; do
                case "$now" in *" $pid "*) echo "$pid" ;; esac
              done
            }
            while kill -0 "$parent" 2>/dev/null; do sleep 1; done
            pids=$(left)
            [ -z "$pids" ] && exit 0
            kill -TERM $pids 2>/dev/null
            i=0
            while [ "$i" -lt "$grace" ]; do
              sleep 1
              pids=$(left)
              [ -z "$pids" ] && exit 0
              i=$((i + 1))
            done
            kill -KILL $pids 2>/dev/null
            """;

    private Reaper() {}

    /** Watches this JVM; call it once the servers run. */
    static void watch(Path mariaDbDataDir, int redisPort) throws IOException {
        watch(ProcessHandle.current().pid(), mariaDbDataDir, redisPort, GRACE);
    }

    static Process watch(long parentPid, Path mariaDbDataDir, int redisPort, Duration grace) throws IOException {
        return new ProcessBuilder(
                        "/bin/sh",
                        "-c",
                        SCRIPT,
                        "barrage-reaper",
                        Long.toString(parentPid),
                        mariaDbDataDir.toAbsolutePath().toString(),
                        Integer.toString(redisPort),
                        Long.toString(grace.toSeconds()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
