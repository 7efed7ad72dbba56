package io.barrage.infra;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's top folder, where the server classpaths and service jars are built. */
final class RepoRoot {

    private RepoRoot() {}

    static Path find() {
        String configured = System.getProperty("barrage.root", System.getenv("BARRAGE_ROOT"));
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isRegularFile(dir.resolve("deploy/servers/kafka/pom.xml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "cannot find the Barrage repository above " + Path.of("").toAbsolutePath() + "; set -Dbarrage.root");
    }

    static String serverClasspath(Path root, String server) {
        Path file = root.resolve("deploy/servers").resolve(server).resolve("target/classpath.txt");
        try {
            return Files.readString(file).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(
                    file + " is missing: build the project first (./mvnw -DskipTests install)", e);
        }
    }
}
