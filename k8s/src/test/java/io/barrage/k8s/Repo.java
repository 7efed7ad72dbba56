package io.barrage.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** Paths of the deployment artefacts, and the names every one of them must agree on. */
final class Repo {

    /** Module = spring.application.name = image = Compose service = Helm component. */
    static final List<String> COMPONENTS =
            List.of("gateway", "user-service", "video-service", "danmaku-service", "push-service", "scheduler-service");

    /** The default ports from docs/architecture.md. */
    static final Map<String, Integer> PORTS = Map.of(
            "gateway", 8080,
            "user-service", 8081,
            "video-service", 8082,
            "danmaku-service", 8083,
            "push-service", 8084,
            "scheduler-service", 8085);

    /**
     * The actuator's port of each component (probes, metrics): 8090 + n beside the API's 8080 + n, so that a
     * NetworkPolicy can open it to monitoring without opening the API's {@code /internal} paths.
     */
    static final Map<String, Integer> MANAGEMENT_PORTS = Map.of(
            "gateway", 8090,
            "user-service", 8091,
            "video-service", 8092,
            "danmaku-service", 8093,
            "push-service", 8094,
            "scheduler-service", 8095);

    static final int GATEWAY_MANAGEMENT_PORT = MANAGEMENT_PORTS.get("gateway");

    private Repo() {}

    /** The repository root; Surefire runs in the module folder {@code k8s/}. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "no repository root above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static Path chart() {
        return root().resolve("k8s/barrage");
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path path) {
        return (Map<String, Object>) new Yaml().load(read(path));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}
