package io.barrage.e2e;

import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One local stack for the end-to-end tests in this JVM, on its own ports (the gateway on 18080) and in a
 * fresh data folder, so it never meets a stack a developer is running. Stopped when the JVM exits.
 *
 * <p>Most tests share the default {@link Shape} (one push shard). A test that needs another shape (the hot
 * room's three shards) asks for it; the stack of the other shape is stopped first, since two stacks would not
 * fit two cores, and a later test asking for the default gets a fresh one. That test runs last
 * ({@code junit-platform.properties} orders classes by {@code @Order}), so a full run pays for one extra start.
 */
final class E2eStack {

    static final int PORT_BASE = 18080;

    /** What differs between the stacks the tests need: the push shards and properties for every service. */
    record Shape(int pushShards, Map<String, String> properties) {

        static final Shape DEFAULT = new Shape(1, Map.of());
    }

    private static LocalStack stack;
    private static Shape shape;
    private static Path data;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(E2eStack::stop, "e2e-stack-stop"));
    }

    private E2eStack() {}

    static synchronized LocalStack get() throws Exception {
        return get(Shape.DEFAULT);
    }

    static synchronized LocalStack get(Shape wanted) throws Exception {
        if (stack != null && !wanted.equals(shape)) {
            stop();
        }
        if (stack == null) {
            data = Files.createTempDirectory("barrage-e2e-");
            Map<String, String> properties = new LinkedHashMap<>(Map.of(
                    "barrage.video.max-upload-size", "2MB",
                    // long enough for a delete-and-restore in a test, short enough to watch a purge
                    "barrage.scheduler.grace-period", "PT15S",
                    "barrage.scheduler.purge-interval", "1s"));
            properties.putAll(wanted.properties());
            stack = LocalStack.start(new LocalStack.Options(
                    data, PORT_BASE, Infra.ServerPorts.random(), properties, wanted.pushShards()));
            shape = wanted;
        }
        return stack;
    }

    static String gatewayUrl() throws Exception {
        return get().options().gatewayUrl();
    }

    private static synchronized void stop() {
        if (stack != null) {
            stack.close();
            TestInfra.deleteQuietly(data); // half a gigabyte of Kafka log, objects and tables
            stack = null;
            shape = null;
        }
    }
}
