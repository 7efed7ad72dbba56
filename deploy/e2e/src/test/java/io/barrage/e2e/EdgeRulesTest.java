package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the edge that every module must keep, checked on the sources: only the gateway decides a
 * client's address, and every module refuses a guessable service token the same way (the platform's).
 */
class EdgeRulesTest {

    private static final List<String> MODULES =
            List.of("gateway", "user-service", "video-service", "danmaku-service", "push-service", "scheduler-service");
    private static final Path ROOT = findRoot();

    /** On Kubernetes Spring Boot believes X-Forwarded-For from any private address unless told not to. */
    @Test
    void noModuleLetsItsServerBelieveForwardedHeaders() throws IOException {
        Pattern serverBlock = Pattern.compile("(?m)^server:\\n((?:[ #].*\\n|\\n)*)");
        for (String module : MODULES) {
            String yaml = Files.readString(ROOT.resolve(module).resolve("src/main/resources/application.yml"));
            var block = serverBlock.matcher(yaml);
            assertThat(block.find()).as(module + " has a server: block").isTrue();
            assertThat(block.group(1))
                    .as(module + ": server.forward-headers-strategy")
                    .containsPattern("(?m)^  forward-headers-strategy: none\\s*$");
        }
    }

    /** Services take the client's address from the gateway's X-Client-Ip, next to the service token. */
    @Test
    void onlyTheGatewaysClientAddressReadsForwardedHeaders() throws IOException {
        Pattern forwarded = Pattern.compile("\"(X-Forwarded-For|Forwarded|X-Real-Ip)\"", Pattern.CASE_INSENSITIVE);
        Path allowed = ROOT.resolve("gateway/src/main/java/io/barrage/gateway/edge/ClientAddress.java");
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (file.equals(allowed)) {
                        continue;
                    }
                    assertThat(forwarded.matcher(Files.readString(file)).find())
                            .as(ROOT.relativize(file) + " reads a forwarded header")
                            .isFalse();
                }
            }
        }
    }

    /** The rule lives once, in the platform; a module's own copy would drift from it. */
    @Test
    void theServiceTokenRuleLivesOnlyInThePlatform() throws IOException {
        assertThat(ROOT.resolve("platform/src/main/java/io/barrage/platform/credential/ServiceTokenRule.java"))
                .isRegularFile();
        for (String module : MODULES) {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .as(module + " has its own ServiceTokenRule")
                        .doesNotContain("ServiceTokenRule.java");
            }
        }
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("deploy/servers/kafka/pom.xml"))) {
            dir = dir.getParent();
        }
        return dir;
    }
}
