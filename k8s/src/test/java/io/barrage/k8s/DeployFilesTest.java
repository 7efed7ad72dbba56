package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The Dockerfile and the Spring profiles the images and the chart rely on. */
class DeployFilesTest {

    /** One Dockerfile for every service: the module, its two ports and extra packages are build args. */
    @Test
    void everyServiceIsBuiltFromOneLayeredNonRootDockerfileWithAHealthcheck() throws IOException {
        Path docker = Repo.root().resolve("deploy/docker");
        String dockerfile = Repo.read(docker.resolve("Dockerfile"));

        assertThat(dockerfile)
                .containsPattern("(?m)^ARG SERVICE$")
                .containsPattern("(?m)^ARG PORT$")
                .containsPattern("(?m)^ARG MANAGEMENT_PORT$")
                .containsPattern("(?m)^ARG APT_PACKAGES=\"\"$")
                .contains("FROM eclipse-temurin:25-jre AS layers")
                .contains("COPY ${SERVICE}/target/${SERVICE}-exec.jar app.jar")
                .contains("java -Djarmode=tools -jar app.jar extract --layers --launcher")
                .contains("COPY --from=layers /build/extracted/dependencies/ ./")
                .contains("COPY --from=layers /build/extracted/application/ ./")
                .contains("USER 10001:10001")
                .contains("-XX:MaxRAMPercentage=")
                .contains("-XX:+ExitOnOutOfMemoryError")
                .contains("HEALTHCHECK ")
                .contains("CMD healthcheck \"${MANAGEMENT_SERVER_PORT}\" /actuator/health/liveness")
                .contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]")
                .containsPattern("(?m)^EXPOSE \\$\\{PORT} \\$\\{MANAGEMENT_PORT}$")
                .containsPattern("(?m)^\\s+MANAGEMENT_SERVER_PORT=\\$\\{MANAGEMENT_PORT}$");
        // the ARG before the first FROM is global; a stage sees it only when it declares it again
        assertThat(dockerfile.indexOf("ARG SERVICE")).isLessThan(dockerfile.indexOf("FROM "));
        assertThat(dockerfile.indexOf("ARG SERVICE", dockerfile.indexOf("FROM ")))
                .isBetween(dockerfile.indexOf("FROM "), dockerfile.indexOf("COPY ${SERVICE}"));
        // the last FROM is the runtime stage, and the user is switched after everything is copied
        assertThat(dockerfile.lastIndexOf("FROM eclipse-temurin:25-jre")).isLessThan(dockerfile.indexOf("USER "));
        assertThat(dockerfile.lastIndexOf("COPY ")).isLessThan(dockerfile.indexOf("USER "));
        assertThat(docker.resolve("healthcheck")).isExecutable();
        // no per-service copy left to drift
        try (Stream<Path> files = Files.walk(docker)) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("Dockerfile")))
                    .containsExactly(docker.resolve("Dockerfile"));
        }
    }

    /** Module = artifact = jar = spring.application.name, on the port every other artefact uses. */
    @Test
    void everyComponentIsAModuleWithThatApplicationNameAndPort() {
        String rootPom = Repo.read(Repo.root().resolve("pom.xml"));
        for (String name : Repo.COMPONENTS) {
            assertThat(rootPom).as(name).contains("<module>" + name + "</module>");
            String pom = Repo.read(Repo.root().resolve(name + "/pom.xml"));
            assertThat(pom).as(name).contains("<artifactId>" + name + "</artifactId>");
            // the Dockerfile copies <module>/target/<module>-exec.jar
            assertThat(pom).as(name).contains("<finalName>" + name + "</finalName>");
            Map<String, Object> yaml = Repo.yaml(Repo.root().resolve(name + "/src/main/resources/application.yml"));
            assertThat(property(yaml, "spring.application.name")).as(name).isEqualTo(name);
            assertThat(property(yaml, "server.port")).as(name).isEqualTo(Repo.PORTS.get(name));
        }
        assertThat(property(
                        Repo.yaml(Repo.root().resolve("gateway/src/main/resources/application.yml")),
                        "management.server.port"))
                .isEqualTo(Repo.GATEWAY_MANAGEMENT_PORT);
        assertThat(rootPom).contains("<classifier>exec</classifier>");
    }

    private static Object property(Map<String, Object> yaml, String dotted) {
        Object node = yaml;
        for (String key : dotted.split("\\.")) {
            node = node instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return node;
    }

    @Test
    void theComposeAndK8sProfilesOfEveryServiceRegisterInNacos() {
        for (String name : Repo.COMPONENTS) {
            Path resources = Repo.root().resolve(name + "/src/main/resources");
            // the defaults keep Nacos off (no Nacos on the development machines)
            assertThat(nacosEnabled(resources.resolve("application.yml")))
                    .as(name)
                    .isEqualTo(false);
            // the k8s profile is the platform's, shared by every service (classpath:/config/); a service's
            // own application-k8s.yml may add to it
            assertThat(Repo.read(Repo.root().resolve(name + "/pom.xml")))
                    .as(name + " depends on the platform, which ships the shared k8s profile")
                    .contains("<artifactId>barrage-platform</artifactId>");
            for (String profile : new String[] {"compose", "k8s"}) {
                Path file = profile.equals("k8s")
                        ? Repo.root().resolve("platform/src/main/resources/config/application-k8s.yml")
                        : resources.resolve("application-" + profile + ".yml");
                assertThat(nacosEnabled(file)).as("%s %s", name, profile).isEqualTo(true);
                String text = Repo.read(file);
                assertThat(text).as("%s %s", name, profile).contains("server-addr: ${NACOS_ADDR:nacos:8848}");
                assertThat(text.toLowerCase())
                        .as("no credential in %s", file)
                        .doesNotContainPattern("(password|secret-key|access-key|service-token)\\s*:");
            }
        }
        // push-service registers its shard for the gateway's routing
        for (String profile : new String[] {"compose", "k8s"}) {
            String push =
                    Repo.read(Repo.root().resolve("push-service/src/main/resources/application-" + profile + ".yml"));
            assertThat(push).contains("shard: ${barrage.push.shard-index:0}");
        }
    }

    private static Object nacosEnabled(Path file) {
        Map<String, Object> yaml = Repo.map(new Yaml().load(Repo.read(file)));
        Object node = yaml;
        for (String key : "spring.cloud.nacos.discovery.enabled".split("\\.")) {
            node = node instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return node;
    }
}
