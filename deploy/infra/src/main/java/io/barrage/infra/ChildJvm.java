package io.barrage.infra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A JVM started by this one, logging to a file, stopped with SIGTERM (then SIGKILL). */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Path javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** Runs {@code mainClass} on {@code classpath}, watched so that it dies with this JVM. */
    static ChildJvm start(
            String name, String classpath, List<String> jvmArgs, String mainClass, List<String> args, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable().toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(ownClasspathEntry() + File.pathSeparator + classpath);
        command.add(ParentWatch.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);
        return launch(name, command, Map.of(), log);
    }

    /** Runs an arbitrary command (a Spring Boot jar) with extra environment variables. */
    static ChildJvm launch(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return new ChildJvm(name, builder.start(), log);
    }

    /** Runs a command to completion, failing with the tail of its output if it does not exit 0. */
    static void runToCompletion(String name, String classpath, String mainClass, List<String> args, Path log)
            throws IOException, InterruptedException {
        try (ChildJvm child = start(name, classpath, List.of("-Xmx256m"), mainClass, args, log)) {
            if (!child.process.waitFor(120, TimeUnit.SECONDS) || child.process.exitValue() != 0) {
                throw new IOException(name + " failed; see " + log + "\n" + child.tail());
            }
        }
    }

    static String ownClasspathEntry() {
        try {
            return Path.of(ParentWatch.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end; its exit code. */
    int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    /** Ends the process at once (SIGKILL): for throw-away test servers whose data nobody keeps. */
    void kill() {
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
