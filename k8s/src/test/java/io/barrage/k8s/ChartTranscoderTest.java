package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barrage.k8s.Chart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The transcoding workers in the chart: video-service's image with the worker role on, their replicas and
 * resources, KEDA scaling on their consumer group's lag, their network policy, and production's presigned
 * segments.
 */
class ChartTranscoderTest extends ChartTestBase {

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void transcodersRunTheVideoServiceImageWithTheWorkerRoleOnAndTheApiPodsWithItOff(String label, Rendered render) {
        Deployment workers = render.get(Deployment.class, TRANSCODER);
        PodSpec pod = workers.getSpec().getTemplate().getSpec();
        Container worker = pod.getContainers().getFirst();
        Container api = render.get(Deployment.class, "video-service")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst();

        assertThat(worker.getImage()).isEqualTo(api.getImage());
        assertThat(env(worker, "BARRAGE_VIDEO_TRANSCODE_WORKER_ENABLED")).isEqualTo("true");
        // registered in Nacos as video-service, a worker would be sent API requests by the gateway
        assertThat(env(worker, "SPRING_CLOUD_NACOS_DISCOVERY_REGISTER_ENABLED")).isEqualTo("false");
        assertThat(env(api, "BARRAGE_VIDEO_TRANSCODE_WORKER_ENABLED")).isNull();
        assertThat(render.property("video-service", "barrage.video.transcode.worker-enabled"))
                .isEqualTo(false);
        // the same configuration and credentials as the API
        assertThat(pod.getVolumes())
                .anySatisfy(v -> assertThat(v.getConfigMap().getName()).isEqualTo("video-service"));
        assertThat(worker.getEnv())
                .extracting(EnvVar::getName)
                .contains("SPRING_DATASOURCE_PASSWORD", "BARRAGE_S3_ACCESSKEY", "BARRAGE_S3_SECRETKEY");
        // ffmpeg shares the container's memory limit with the heap
        assertThat(env(worker, "JAVA_TOOL_OPTIONS")).contains("MaxRAMPercentage=30");
        assertThat(worker.getResources().getLimits().get("memory").toString()).isNotEqualTo("768Mi");
        // not behind the video-service Service: the selectors differ
        assertThat(render.get(Service.class, "video-service").getSpec().getSelector())
                .containsEntry("app.kubernetes.io/name", "video-service");
        assertThat(workers.getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/name", TRANSCODER);
        assertThat(render.get(PodDisruptionBudget.class, TRANSCODER)
                        .getSpec()
                        .getMaxUnavailable()
                        .getIntVal())
                .isEqualTo(1);
    }

    @Test
    void theReplicaCountAndResourcesOfTheTranscodersAreValues() {
        Rendered render = Chart.render(c -> c.set("videoTranscoder.replicas", 5)
                .set("videoTranscoder.resources.limits.cpu", "6")
                .set("videoTranscoder.resources.limits.memory", "8Gi"));
        Deployment workers = render.get(Deployment.class, TRANSCODER);

        assertThat(workers.getSpec().getReplicas()).isEqualTo(5);
        var limits = workers.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getResources()
                .getLimits();
        assertThat(limits.get("cpu").toString()).isEqualTo("6");
        assertThat(limits.get("memory").toString()).isEqualTo("8Gi");
        assertThat(DEFAULTS.find(GenericKubernetesResource.class, TRANSCODER)).isEmpty();

        // without the Deployment the API pods transcode, as in the local stack
        Rendered alone = Chart.render(c -> c.set("videoTranscoder.enabled", false));
        assertThat(alone.find(Deployment.class, TRANSCODER)).isEmpty();
        assertThat(alone.property("video-service", "barrage.video.transcode.worker-enabled"))
                .isEqualTo(true);
    }

    @Test
    void kedaScalesTheTranscodersOnTheLagOfTheirConsumerGroup() {
        Rendered render = Chart.render(c -> c.set("videoTranscoder.keda.enabled", true)
                .set("videoTranscoder.keda.maxReplicas", 5)
                .set("videoTranscoder.keda.authenticationRef", "kafka-sasl"));
        GenericKubernetesResource scaled = render.get(GenericKubernetesResource.class, TRANSCODER);

        assertThat(scaled.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaled.getKind()).isEqualTo("ScaledObject");
        Map<String, Object> spec = scaled.get("spec");
        assertThat(spec).containsEntry("maxReplicaCount", 5).containsEntry("minReplicaCount", 1);
        assertThat(scaled.<String>get("spec", "scaleTargetRef", "name")).isEqualTo(TRANSCODER);
        List<Map<String, Object>> triggers = scaled.get("spec", "triggers");
        assertThat(triggers).singleElement().satisfies(trigger -> {
            assertThat(trigger).containsEntry("type", "kafka");
            assertThat(trigger.get("metadata"))
                    .isEqualTo(Map.of(
                            "bootstrapServers", "kafka.kafka.svc.cluster.local:9092",
                            "consumerGroup", "video-transcoder",
                            "topic", "video.transcode-jobs",
                            "lagThreshold", "1",
                            "offsetResetPolicy", "earliest"));
            assertThat(trigger.get("authenticationRef")).isEqualTo(Map.of("name", "kafka-sasl"));
        });
        // KEDA owns the replica count: the Deployment leaves it alone, so an upgrade does not reset it
        assertThat(render.get(Deployment.class, TRANSCODER).getSpec().getReplicas())
                .isNull();
        assertThatThrownBy(() -> Chart.render(
                        c -> c.set("videoTranscoder.keda.enabled", true).set("videoTranscoder.keda.maxReplicas", 7)))
                .hasMessageContaining("must not exceed the partitions of video.transcode-jobs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void aTranscoderIsReachedByMonitoringOnlyAndReachesWhatVideoServiceOwns(String label, Rendered render) {
        NetworkPolicy policy = render.get(NetworkPolicy.class, TRANSCODER);
        assertThat(policy.getSpec().getIngress())
                .singleElement()
                .satisfies(rule -> assertThat(rule.getPorts())
                        .extracting(p -> p.getPort().getIntVal())
                        .containsExactly(Repo.MANAGEMENT_PORTS.get("video-service")));
        Set<Integer> egressPorts = new HashSet<>();
        policy.getSpec()
                .getEgress()
                .forEach(rule ->
                        rule.getPorts().forEach(p -> egressPorts.add(p.getPort().getIntVal())));
        assertThat(egressPorts).contains(53, 3306, 6379, 9092, 9000).doesNotContain(Repo.PORTS.get("user-service"));
    }

    @Test
    void inProductionSegmentsComeStraightFromTheObjectStoreAndKedaScalesTheWorkers() {
        assertThat(PRODUCTION.property("video-service", "barrage.video.stream-mode"))
                .isEqualTo("redirect");
        assertThat(DEFAULTS.property("video-service", "barrage.video.stream-mode"))
                .isNull();
        assertThat(PRODUCTION.find(GenericKubernetesResource.class, TRANSCODER)).isPresent();
    }
}
