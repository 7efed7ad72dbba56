package io.barrage.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real infrastructure for integration tests: started once per test JVM on free ports in a fresh
 * folder, stopped when the JVM exits. In a Spring test:
 *
 * <pre>{@code
 * @DynamicPropertySource
 * static void infra(DynamicPropertyRegistry registry) {
 *     TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
 * }
 * }</pre>
 */
public final class TestInfra {

    private static Infra instance;

    private TestInfra() {}

    public static synchronized Infra get() {
        if (instance == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "barrage-test-");
                Infra infra = Infra.start(dir, Infra.ServerPorts.random());
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    infra.close();
                                    deleteQuietly(dir);
                                },
                                "test-infra-stop"));
                instance = infra;
            } catch (Exception e) {
                throw new IllegalStateException("could not start the test infrastructure", e);
            }
        }
        return instance;
    }

    public static Map<String, String> springProperties(Service service) {
        return get().springProperties(service);
    }

    /** Deletes a folder and everything in it, as far as it can (for test folders). */
    public static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp folder; the OS cleans it eventually
        }
    }
}
