package io.barrage.infra;

import java.util.Arrays;

/**
 * Runs another main class and exits when the process that started it is gone, so a broker or store
 * started by a test JVM or by the local stack never outlives it, even after a SIGKILL.
 *
 * <p>Usage: {@code ParentWatch <parentPid> <mainClass> [args...]}.
 */
public final class ParentWatch {

    private ParentWatch() {}

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        Thread watcher = Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("parent " + parentPid + " is gone; exiting");
            // A graceful exit first (shutdown hooks run), and a hard one if that hangs.
            Thread.ofPlatform().daemon().start(() -> System.exit(0));
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            Runtime.getRuntime().halt(1);
        });
        watcher.setPriority(Thread.MIN_PRIORITY);
        Class.forName(args[1]).getMethod("main", String[].class).invoke(null, (Object)
                Arrays.copyOfRange(args, 2, args.length));
    }
}
