package io.barrage.video.transcode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ffmpeg or ffprobe on untrusted input: under {@code prlimit} (CPU seconds and address space, when
 * util-linux's prlimit is installed) and {@code nice}, with a wall-clock limit and a kill when it is
 * overrun, when the job is cancelled or its lease is lost. Output goes to files, not pipes, so no reader
 * thread is needed; the caller polls ffmpeg's {@code -progress} file through {@code onProgress}.
 */
final class Sandbox {

    private static final Logger log = LoggerFactory.getLogger(Sandbox.class);
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final Path NICE = Path.of("/usr/bin/nice");
    private static final long POLL_MILLIS = 500;

    /** How a run ended. */
    enum Outcome {
        OK,
        FAILED,
        TIMED_OUT,
        CANCELLED
    }

    record Result(Outcome outcome, int exitCode, String stderrTail) {}

    /** A run stops early when this says so (the job was cancelled or its lease lost). */
    interface Watch {
        /** Called about twice a second; false kills the process. */
        boolean keepGoing();
    }

    private Sandbox() {}

    static List<String> wrap(List<String> command, long cpuSeconds, long memoryBytes, int nice) {
        List<String> wrapped = new ArrayList<>();
        if (Files.isExecutable(PRLIMIT)) {
            wrapped.add(PRLIMIT.toString());
            wrapped.add("--cpu=" + Math.max(1, cpuSeconds));
            wrapped.add("--as=" + memoryBytes);
            wrapped.add("--");
        }
        if (Files.isExecutable(NICE)) {
            wrapped.add(NICE.toString());
            wrapped.add("-n");
            wrapped.add(Integer.toString(nice));
        }
        wrapped.addAll(command);
        return wrapped;
    }

    static Result run(
            List<String> command,
            Path stdout,
            Path stderr,
            Duration limit,
            Watch watch,
            Path progressFile,
            LongConsumer progressMicros)
            throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        long deadline = System.nanoTime() + limit.toNanos();
        try {
            while (true) {
                if (process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    report(progressFile, progressMicros);
                    int code = process.exitValue();
                    return new Result(code == 0 ? Outcome.OK : Outcome.FAILED, code, tail(stderr));
                }
                report(progressFile, progressMicros);
                if (System.nanoTime() > deadline) {
                    log.warn("{} overran its limit of {}; killed", command.getFirst(), limit);
                    kill(process);
                    return new Result(Outcome.TIMED_OUT, -1, tail(stderr));
                }
                if (!watch.keepGoing()) {
                    kill(process);
                    return new Result(Outcome.CANCELLED, -1, tail(stderr));
                }
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return new Result(Outcome.CANCELLED, -1, tail(stderr));
        } finally {
            if (process.isAlive()) {
                kill(process);
            }
        }
    }

    /** The process and whatever it started (prlimit execs, so this is ffmpeg itself). */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Tells {@code progressMicros} how far ffmpeg has got, on every poll: -1 while it has not said (ffmpeg
     * writes no report before every output has started, and a storyboard's sprite starts only at the end).
     */
    private static void report(Path progressFile, LongConsumer progressMicros) {
        if (progressMicros == null) {
            return;
        }
        progressMicros.accept(progressFile == null ? -1 : reportedMicros(progressFile));
    }

    private static long reportedMicros(Path progressFile) {
        try {
            if (!Files.exists(progressFile)) {
                return -1;
            }
            // ffmpeg appends a block per report; the last out_time_us is the newest
            List<String> lines = Files.readAllLines(progressFile, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (line.startsWith("out_time_us=")) {
                    try {
                        return Long.parseLong(line.substring("out_time_us=".length()));
                    } catch (NumberFormatException e) {
                        return -1; // "N/A" before the first frame
                    }
                }
            }
        } catch (IOException e) {
            log.debug("could not read progress {}", progressFile);
        }
        return -1;
    }

    private static String tail(Path stderr) {
        try {
            String text = Files.readString(stderr, StandardCharsets.UTF_8);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
