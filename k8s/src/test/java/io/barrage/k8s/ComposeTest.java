package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ComposeTest {

    private static final Path COMPOSE = Repo.root().resolve("deploy/compose/docker-compose.yml");
    private static final Map<String, Object> FILE = Repo.yaml(COMPOSE);
    private static final Map<String, Object> SERVICES = Repo.map(FILE.get("services"));
    private static final Map<String, Object> CHART_SERVICES =
            Repo.map(Repo.yaml(Repo.chart().resolve("values.yaml")).get("services"));

    /** Jobs that run once; they have no health, others wait for them to complete. */
    private static final Set<String> ONE_SHOT = Set.of("kafka-init", "minio-init");

    private static final String TRANSCODER = "video-transcoder";

    /** A Compose service's definition, YAML merge keys resolved. */
    static Object service(String name) {
        return SERVICES.get(name);
    }

    @Test
    void theServicesOfTheComposeProfileAreExactlyTheChartsComponents() {
        Set<String> profiled = new java.util.TreeSet<>();
        SERVICES.forEach((name, value) -> {
            Object profiles = Repo.map(value).get("profiles");
            if (profiles != null && Repo.list(profiles).contains("compose")) {
                profiled.add(name);
            }
        });
        // plus video-service's worker role, as in the chart
        assertThat(profiled)
                .containsExactlyInAnyOrderElementsOf(Stream.concat(Repo.COMPONENTS.stream(), Stream.of(TRANSCODER))
                        .toList());
        assertThat(CHART_SERVICES.keySet()).containsExactlyInAnyOrderElementsOf(Repo.COMPONENTS);
    }

    @Test
    void theTranscoderRunsTheVideoServiceImageWithTheWorkerRoleOnAndTheApiWithItOff() {
        Map<String, Object> worker = Repo.map(SERVICES.get(TRANSCODER));
        Map<String, Object> api = Repo.map(SERVICES.get("video-service"));

        assertThat(worker.get("image")).isEqualTo(api.get("image"));
        assertThat(Repo.map(worker.get("environment")))
                .containsEntry("BARRAGE_VIDEO_TRANSCODE_WORKER_ENABLED", "true")
                .containsEntry("SPRING_CLOUD_NACOS_DISCOVERY_REGISTER_ENABLED", "false")
                .containsKeys("SPRING_DATASOURCE_PASSWORD", "BARRAGE_S3_ACCESSKEY", "BARRAGE_S3_SECRETKEY");
        assertThat(Repo.map(api.get("environment"))).containsEntry("BARRAGE_VIDEO_TRANSCODE_WORKER_ENABLED", "false");
        // the API migrates the schema before a worker starts
        assertThat(Repo.map(worker.get("depends_on"))).containsKey("video-service");
        assertThat(worker.get("ports")).as("never published").isNull();
        assertThat(Repo.read(Repo.root().resolve("deploy/monitoring/prometheus.yml")))
                .contains("job_name: " + TRANSCODER)
                .contains("\"" + TRANSCODER + ":" + Repo.MANAGEMENT_PORTS.get("video-service") + "\"");
    }

    @Test
    void theInfrastructureAndTheSixServicesAreThere() {
        assertThat(SERVICES)
                .containsKeys("kafka", "redis", "mysql", "minio", "nacos", "prometheus", "grafana")
                .containsKeys(Repo.COMPONENTS.toArray(String[]::new));
        for (String name : Repo.COMPONENTS) {
            Map<String, Object> service = Repo.map(SERVICES.get(name));
            assertThat(Repo.list(service.get("profiles"))).as(name).containsExactly("compose");
            assertThat(String.valueOf(service.get("image"))).as(name).contains("/" + name + ":");
            Map<String, Object> build = Repo.map(service.get("build"));
            String dockerfile = String.valueOf(build.get("dockerfile"));
            assertThat(dockerfile).isEqualTo("deploy/docker/Dockerfile");
            assertThat(COMPOSE.getParent()
                            .resolve(String.valueOf(build.get("context")))
                            .resolve(dockerfile))
                    .exists();
            // the one Dockerfile learns the module and its ports (the chart's and every other artefact's)
            Map<String, Object> args = Repo.map(build.get("args"));
            assertThat(args)
                    .as(name)
                    .containsEntry("SERVICE", name)
                    .containsEntry("PORT", String.valueOf(Repo.PORTS.get(name)))
                    .containsEntry("MANAGEMENT_PORT", String.valueOf(Repo.MANAGEMENT_PORTS.get(name)));
            // only the transcode worker role needs more than Java
            assertThat(args.get("APT_PACKAGES")).as(name).isEqualTo(name.equals("video-service") ? "ffmpeg" : null);
            Map<String, Object> env = Repo.map(service.get("environment"));
            assertThat(env).as(name).containsEntry("SPRING_PROFILES_ACTIVE", "compose");
            // registering in Nacos: the compose profile turns discovery on (checked in SpringProfilesTest)
            assertThat(env).as(name).containsEntry("NACOS_ADDR", "nacos:8848");
            assertThat(Repo.map(service.get("depends_on"))).as(name).containsKey("nacos");
        }
    }

    @Test
    void everyLongRunningServiceHasAHealthcheckAndAMemoryLimit() {
        SERVICES.forEach((name, value) -> {
            Map<String, Object> service = Repo.map(value);
            assertThat(service.get("mem_limit")).as("%s mem_limit", name).isNotNull();
            Map<String, Object> healthcheck = Repo.map(service.get("healthcheck"));
            assertThat(healthcheck).as("%s healthcheck", name).isNotNull();
            if (ONE_SHOT.contains(name)) {
                assertThat(healthcheck).containsEntry("disable", true);
                assertThat(service).containsEntry("restart", "no");
            } else {
                assertThat(healthcheck.get("test")).as("%s healthcheck", name).isNotNull();
            }
        });
    }

    @Test
    void dependenciesWaitForHealthOrCompletion() {
        SERVICES.forEach((name, value) -> {
            Object dependsOn = Repo.map(value).get("depends_on");
            if (dependsOn == null) {
                return;
            }
            Repo.map(dependsOn).forEach((dependency, spec) -> {
                assertThat(SERVICES).as("%s depends on %s", name, dependency).containsKey(dependency);
                String expected = ONE_SHOT.contains(dependency) ? "service_completed_successfully" : "service_healthy";
                assertThat(Repo.map(spec))
                        .as("%s depends on %s", name, dependency)
                        .containsEntry("condition", expected);
            });
        });
    }

    @Test
    void portsAndNamesAgreeWithTheChart() {
        for (String name : Repo.COMPONENTS) {
            int chartPort = (Integer) Repo.map(CHART_SERVICES.get(name)).get("port");
            assertThat(chartPort).isEqualTo(Repo.PORTS.get(name));
            Map<String, Object> service = Repo.map(SERVICES.get(name));
            List<Object> healthcheck =
                    Repo.list(Repo.map(service.get("healthcheck")).get("test"));
            int probed = Integer.parseInt(String.valueOf(healthcheck.get(2)));
            assertThat(healthcheck.get(3)).isEqualTo("/actuator/health/readiness");
            int managementPort = Repo.MANAGEMENT_PORTS.get(name);
            assertThat(probed)
                    .as(name)
                    .isEqualTo(Repo.map(CHART_SERVICES.get(name)).get("managementPort"))
                    .isEqualTo(managementPort);
            if (name.equals("gateway")) {
                assertThat(Repo.list(service.get("ports"))).containsExactly(chartPort + ":" + chartPort);
            } else {
                assertThat(Repo.list(service.get("expose")))
                        .as(name)
                        .containsExactly(String.valueOf(chartPort), String.valueOf(managementPort));
                assertThat(service.get("ports"))
                        .as("only the gateway is published")
                        .isNull();
            }
        }
        // Prometheus scrapes the same names and ports, with job = service name as on Kubernetes
        String prometheus = Repo.read(Repo.root().resolve("deploy/monitoring/prometheus.yml"));
        for (String name : Repo.COMPONENTS) {
            int port = Repo.MANAGEMENT_PORTS.get(name);
            assertThat(prometheus).contains("job_name: " + name).contains("\"" + name + ":" + port + "\"");
        }
    }

    @Test
    void theTopicsAreTheOnesTheChartCreates() {
        String script = String.join(
                "\n",
                Repo.list(Repo.map(SERVICES.get("kafka-init")).get("command")).stream()
                        .map(String::valueOf)
                        .toList());
        Map<String, Object> partitions = Repo.map(Repo.map(
                        Repo.map(Repo.yaml(Repo.chart().resolve("values.yaml")).get("kafka"))
                                .get("topics"))
                .get("partitions"));
        partitions.forEach((topic, count) -> assertThat(script).contains(topic + ":" + count));
        assertThat(Repo.map(Repo.map(SERVICES.get("kafka")).get("environment")))
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
    }

    @Test
    void noCredentialHasADefaultAndTheExampleHoldsOnlyPlaceholders() {
        String compose = Repo.read(COMPOSE);
        // every ${VAR} that carries a credential is required (:?), never defaulted (:-)
        Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)(:[-?][^}]*)?}").matcher(compose);
        int credentials = 0;
        while (m.find()) {
            if (m.group(1).matches(".*(PASSWORD|SECRET|TOKEN|ACCESS_KEY|ROOT_USER).*")) {
                credentials++;
                assertThat(m.group(2)).as(m.group()).startsWith(":?");
            }
        }
        assertThat(credentials).isGreaterThanOrEqualTo(10);

        Path example = COMPOSE.resolveSibling(".env.example");
        assertThat(example).exists();
        assertThat(Files.exists(COMPOSE.resolveSibling(".env")))
                .as("a real .env never sits in the repository")
                .isFalse();
        Repo.read(example)
                .lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> {
                    String key = line.substring(0, line.indexOf('='));
                    String value = line.substring(line.indexOf('=') + 1);
                    if (key.matches(".*(PASSWORD|SECRET|TOKEN|ACCESS_KEY|ROOT_USER).*")) {
                        assertThat(value).as(key).startsWith("change-me");
                    }
                });
    }
}
