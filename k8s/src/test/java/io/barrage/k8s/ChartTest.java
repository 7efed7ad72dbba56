package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.barrage.k8s.Chart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's shape: it lints, every component has its workload, Service, config and budget, every
 * container its probes, resources and restricted security context; the shard count, the routes to the
 * shards, the ingress, the topics and the monitoring objects.
 */
class ChartTest extends ChartTestBase {

    @Test
    void helmLintPassesStrictly() {
        LintResult result = new Helm(Repo.chart()).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void everyComponentHasItsWorkloadServiceConfigAndBudget(String label, Rendered render) {
        for (String name : Repo.COMPONENTS) {
            Service service = render.get(Service.class, name);
            assertThat(service.getSpec().getPorts())
                    .as("%s Service", name)
                    .anySatisfy(p -> assertThat(p.getPort()).isEqualTo(Repo.PORTS.get(name)))
                    .anySatisfy(p -> {
                        assertThat(p.getName()).isEqualTo("management");
                        assertThat(p.getPort()).isEqualTo(Repo.MANAGEMENT_PORTS.get(name));
                    });
            assertThat(render.springConfig(name)).as("%s ConfigMap", name).isNotEmpty();
            assertThat(render.find(PodDisruptionBudget.class, name))
                    .as("%s PDB", name)
                    .isPresent();
            assertThat(render.property(name, "server.port")).isEqualTo(Repo.PORTS.get(name));
            assertThat(render.property(name, "management.server.port")).isEqualTo(Repo.MANAGEMENT_PORTS.get(name));
            if (name.equals("push-service")) {
                assertThat(render.find(Deployment.class, name)).isEmpty();
                assertThat(render.get(StatefulSet.class, name).getSpec().getServiceName())
                        .isEqualTo("push-service-headless");
            } else if (name.equals("danmaku-service")) {
                // its ordinal is the worker id of the Snowflake danmaku ids: unique per instance
                assertThat(render.find(Deployment.class, name)).isEmpty();
                Container c = render.get(StatefulSet.class, name)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst();
                assertThat(c.getEnv()).anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("BARRAGE_DANMAKU_WORKERID");
                    assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                            .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']");
                });
            } else {
                assertThat(render.find(Deployment.class, name))
                        .as("%s Deployment", name)
                        .isPresent();
            }
        }
        assertThat(render.get(Service.class, "push-service-headless").getSpec().getClusterIP())
                .isEqualTo("None");
        assertThat(render.property("gateway", "management.server.port")).isEqualTo(Repo.GATEWAY_MANAGEMENT_PORT);
        // the stateless services that scale on CPU have an HPA targeting their Deployment
        for (String name : List.of("gateway", "user-service", "video-service", "danmaku-service")) {
            var target =
                    render.get(HorizontalPodAutoscaler.class, name).getSpec().getScaleTargetRef();
            assertThat(target.getName()).isEqualTo(name);
            assertThat(target.getKind()).isEqualTo(name.equals("danmaku-service") ? "StatefulSet" : "Deployment");
        }
        assertThat(render.find(HorizontalPodAutoscaler.class, "push-service"))
                .as("shards are scaled through push.shards, never by an HPA")
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void everyContainerHasProbesResourcesAndARestrictedSecurityContext(String label, Rendered render) {
        List<String> checked = new ArrayList<>();
        for (Workload workload : workloads(render)) {
            PodSpec pod = workload.template().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            for (Container c : pod.getContainers()) {
                String where = workload.kind() + "/" + workload.name() + " container " + c.getName();
                checked.add(where);
                var resources = c.getResources();
                assertThat(resources.getRequests()).as(where).containsKeys("cpu", "memory");
                assertThat(resources.getLimits()).as(where).containsKeys("cpu", "memory");
                var security = c.getSecurityContext();
                assertThat(security.getRunAsNonRoot()).as(where).isTrue();
                assertThat(security.getRunAsUser()).as(where).isPositive();
                assertThat(security.getReadOnlyRootFilesystem()).as(where).isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(where).isFalse();
                assertThat(security.getCapabilities().getDrop()).as(where).contains("ALL");
                assertThat(security.getCapabilities().getAdd()).as(where).isNullOrEmpty();
                // a read-only root needs a writable /tmp (Tomcat's work dir, multipart spooling)
                assertThat(c.getVolumeMounts())
                        .as(where)
                        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
                String image = c.getImage();
                assertThat(image).as(where).matches(".+:[^:/]+$");
                String tag = image.substring(image.lastIndexOf(':') + 1);
                assertThat(tag).as(where).isNotEqualTo("latest");
                if (!workload.kind().equals("Job")) {
                    // the transcoding workers are video-service's image in another role
                    String component = workload.name().equals(TRANSCODER) ? "video-service" : workload.name();
                    assertThat(image).as(where).contains("/" + component + ":");
                    int port = Repo.MANAGEMENT_PORTS.get(component);
                    // the image's default management port is overridden by the chart's, the probes' port
                    assertThat(env(c, "MANAGEMENT_SERVER_PORT")).as(where).isEqualTo(String.valueOf(port));
                    assertProbe(where + " startup", c.getStartupProbe(), "/actuator/health/liveness", port);
                    assertProbe(where + " liveness", c.getLivenessProbe(), "/actuator/health/liveness", port);
                    assertProbe(where + " readiness", c.getReadinessProbe(), "/actuator/health/readiness", port);
                    assertThat(env(c, "SPRING_PROFILES_ACTIVE")).isEqualTo("k8s");
                    assertThat(env(c, "JAVA_TOOL_OPTIONS")).contains("MaxRAMPercentage");
                }
            }
        }
        assertThat(checked).hasSizeGreaterThanOrEqualTo(Repo.COMPONENTS.size() + 1);
    }

    @Test
    void thePushShardCountIsOneValueForTheStatefulSetAndTheGateway() {
        for (Rendered render : List.of(DEFAULTS, PRODUCTION, Chart.render(c -> c.set("push.shards", 7)))) {
            int replicas =
                    render.get(StatefulSet.class, "push-service").getSpec().getReplicas();
            assertThat(render.property("gateway", "barrage.gateway.push-shards"))
                    .isEqualTo(replicas);
            assertThat(render.property("push-service", "barrage.push.shard-count"))
                    .isEqualTo(replicas);
        }
        assertThat(PRODUCTION.get(StatefulSet.class, "push-service").getSpec().getReplicas())
                .isEqualTo(4);

        // and the ordinal is the shard index
        Container push = PRODUCTION
                .get(StatefulSet.class, "push-service")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();
        EnvVar index = push.getEnv().stream()
                .filter(e -> e.getName().equals("BARRAGE_PUSH_SHARDINDEX"))
                .findFirst()
                .orElseThrow();
        assertThat(index.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.labels['apps.kubernetes.io/pod-index']");
    }

    @Test
    void withoutNacosTheGatewayRoutesToEveryShardThroughTheHeadlessService() {
        Rendered render =
                Chart.render(c -> c.set("discovery.mode", "kubernetes").set("push.shards", 3));

        assertThat(render.property("gateway", "spring.cloud.nacos.discovery.enabled"))
                .isEqualTo(false);
        List<Object> shards =
                Repo.list(render.property("gateway", "spring.cloud.discovery.client.simple.instances.push-service"));
        assertThat(shards).hasSize(3);
        for (int i = 0; i < 3; i++) {
            Map<String, Object> instance = Repo.map(shards.get(i));
            assertThat(instance.get("uri"))
                    .isEqualTo("http://push-service-" + i + ".push-service-headless.barrage.svc.cluster.local:8084");
            assertThat(Repo.map(instance.get("metadata"))).containsEntry("shard", String.valueOf(i));
        }
        // Feign clients find video-service through its Service's DNS name
        assertThat(Repo.map(Repo.list(render.property(
                                        "danmaku-service",
                                        "spring.cloud.discovery.client.simple.instances.video-service"))
                                .getFirst())
                        .get("uri"))
                .isEqualTo("http://video-service.barrage.svc.cluster.local:8082");
        assertThat(DEFAULTS.property("gateway", "spring.cloud.nacos.discovery.enabled"))
                .isEqualTo(true);
    }

    @Test
    void aLatestTagIsRefused() {
        // by the schema, and (for --skip-schema-validation) by the template itself
        assertThatThrownBy(() -> Chart.render(c -> c.set("image.tag", "latest")))
                .hasMessageContaining("/image/tag");
        assertThat(Repo.read(Repo.chart().resolve("templates/_helpers.tpl")))
                .contains("fail \"image.tag must not be latest");
    }

    @Test
    void theSchemaAndTheChecksRefuseValuesThatCannotWork() {
        assertThatThrownBy(() -> Chart.render(c -> c.set("push.shards", 0))).hasMessageContaining("shards");
        assertThatThrownBy(() -> Chart.render(c -> c.set("push.shards", 13)))
                .hasMessageContaining("must not exceed the partitions of danmaku.events");
        assertThatThrownBy(() -> Chart.render(c -> c.set("discovery.mode", "eureka")))
                .hasMessageContaining("discovery");
        assertThatThrownBy(() -> Chart.render(c -> c.set("containerSecurityContext.readOnlyRootFilesystem", false)))
                .hasMessageContaining("readOnlyRootFilesystem");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void theIngressSendsEverythingToTheGatewayAndKeepsWebSocketsOpen(String label, Rendered render) {
        Ingress ingress = render.get(Ingress.class, "barrage");
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();

        assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
                .isGreaterThanOrEqualTo(3600);
        assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout")))
                .isGreaterThanOrEqualTo(3600);
        assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off");
        var paths = ingress.getSpec().getRules().getFirst().getHttp().getPaths();
        assertThat(paths).singleElement().satisfies(path -> {
            assertThat(path.getPath()).isEqualTo("/");
            assertThat(path.getBackend().getService().getName()).isEqualTo("gateway");
        });
    }

    @Test
    void theTopicJobCreatesEveryTopicWithItsPartitions() {
        Job job = DEFAULTS.get(Job.class, "kafka-topics-r1");
        String script = String.join(
                "\n",
                job.getSpec().getTemplate().getSpec().getContainers().getFirst().getArgs());

        assertThat(script)
                .contains("--topic danmaku.events --partitions 12")
                .contains("--topic video.events --partitions 3")
                .contains("--topic user.events --partitions 3")
                .contains("--topic video.transcode-jobs --partitions 6")
                .contains("--if-not-exists");
        // the hot rooms' sets keep only their latest record per video; the other topics keep their retention
        assertThat(script)
                .containsPattern(
                        "--topic push\\.spread --partitions 3 [^\\n]*\\n[^\\n]*--config cleanup\\.policy=compact");
        assertThat(script.split("cleanup.policy=compact", -1))
                .as("only push.spread")
                .hasSize(2);
    }

    @Test
    void theSpreadThresholdAndItsMaximumReachPushServiceWithDocumentedDefaults() {
        assertThat(DEFAULTS.property("push-service", "barrage.push.spread-threshold"))
                .isEqualTo(5000);
        assertThat(DEFAULTS.property("push-service", "barrage.push.spread-max-shards"))
                .isEqualTo(4);
        Rendered tuned = Chart.render(c -> c.set("push.spreadThreshold", 300).set("push.spreadMaxShards", 2));
        assertThat(tuned.property("push-service", "barrage.push.spread-threshold"))
                .isEqualTo(300);
        assertThat(tuned.property("push-service", "barrage.push.spread-max-shards"))
                .isEqualTo(2);
    }

    @Test
    void presignedUrlsAreSignedForThePublicAddressOfTheStoreAndTheCspAllowsItsOrigin() {
        // the default: no public address, URLs carry s3.endpoint, the CSP names no other origin
        assertThat(DEFAULTS.property("video-service", "barrage.video.storage")).isNull();
        assertThat(DEFAULTS.property("gateway", "barrage.gateway.csp")).isNull();
        // production: the internal name for the services, the public one for browsers
        assertThat(PRODUCTION.property("video-service", "barrage.s3.endpoint"))
                .isEqualTo("https://minio.minio.svc.cluster.local:9000");
        assertThat(PRODUCTION.property("video-service", "barrage.video.storage.public-endpoint"))
                .isEqualTo("https://media.barrage.example.com");
        assertThat(PRODUCTION.property("video-service", "barrage.video.storage.region"))
                .isEqualTo("us-east-1");
        assertThat(Repo.list(PRODUCTION.property("gateway", "barrage.gateway.csp.media-origins")))
                .containsExactly("https://media.barrage.example.com");
        // a CSP source is an origin: a port is kept, a trailing slash is not
        Rendered withPort = Chart.render(c -> c.set("s3.publicEndpoint", "http://media.example:9443/"));
        assertThat(Repo.list(withPort.property("gateway", "barrage.gateway.csp.media-origins")))
                .containsExactly("http://media.example:9443");
        assertThatThrownBy(() -> Chart.render(c -> c.set("s3.publicEndpoint", "media.example")))
                .hasMessageContaining("publicEndpoint");
    }

    @Test
    void monitoringObjectsAreBehindTheirSwitchAndCarryTheSharedRules() {
        assertThat(DEFAULTS.ofKind("ServiceMonitor")).isEmpty();
        assertThat(DEFAULTS.ofKind("PrometheusRule")).isEmpty();

        assertThat(PRODUCTION.ofKind("ServiceMonitor")).singleElement().satisfies(monitor -> {
            Map<String, Object> spec = Repo.map(((io.fabric8.kubernetes.api.model.GenericKubernetesResource) monitor)
                                            .getAdditionalProperties())
                                    .get("spec")
                            instanceof Map<?, ?> m
                    ? Repo.map(m)
                    : Map.of();
            assertThat(Repo.list(spec.get("endpoints")))
                    .allSatisfy(e -> assertThat(Repo.map(e)).containsEntry("port", "management"));
        });
        HasMetadata rule = PRODUCTION.ofKind("PrometheusRule").getFirst();
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        Set<String> rendered = new HashSet<>();
        collectAlertNames(
                Repo.map(((io.fabric8.kubernetes.api.model.GenericKubernetesResource) rule).getAdditionalProperties())
                        .get("spec"),
                rendered);
        Set<String> shared = new HashSet<>();
        collectAlertNames(Repo.yaml(Repo.root().resolve("deploy/monitoring/alerts.yml")), shared);
        assertThat(rendered).isNotEmpty().isEqualTo(shared);
    }
}
