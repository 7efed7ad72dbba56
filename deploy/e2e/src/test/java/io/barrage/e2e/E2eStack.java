package io.barrage.e2e;

import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One local stack for every end-to-end test in this JVM, on its own ports (the gateway on 18080) and in a
 * fresh data folder, so it never meets a stack a developer is running. Stopped when the JVM exits.
 */
final class E2eStack {

    static final int PORT_BASE = 18080;

    private static LocalStack stack;

    private E2eStack() {}

    static synchronized LocalStack get() throws Exception {
        if (stack == null) {
            Path data = Files.createTempDirectory("barrage-e2e-");
            LocalStack started = LocalStack.start(new LocalStack.Options(
                    data,
                    PORT_BASE,
                    Infra.ServerPorts.random(),
                    Map.of(
                            "barrage.video.max-upload-size", "2MB",
                            // long enough for a delete-and-restore in a test, short enough to watch a purge
                            "barrage.scheduler.grace-period", "PT15S",
                            "barrage.scheduler.purge-interval", "1s")));
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                started.close();
                                TestInfra.deleteQuietly(data); // half a gigabyte of Kafka log, objects and tables
                            },
                            "e2e-stack-stop"));
            stack = started;
        }
        return stack;
    }

    static String gatewayUrl() throws Exception {
        return get().options().gatewayUrl();
    }
}
