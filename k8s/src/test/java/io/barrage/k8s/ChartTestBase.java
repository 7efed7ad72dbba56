package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.k8s.Chart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The chart rendered with its defaults and with values-production.yaml, once for all the chart's test
 * classes (split by feature: {@link ChartTest}, {@link ChartSecurityTest}, {@link ChartTranscoderTest}),
 * and the checks they share.
 */
abstract class ChartTestBase {

    static final Rendered DEFAULTS = Chart.defaults();
    static final Rendered PRODUCTION = Chart.production();
    static final String TRANSCODER = "video-transcoder";

    static Stream<Arguments> renders() {
        return Stream.of(Arguments.of("default values", DEFAULTS), Arguments.of("values-production.yaml", PRODUCTION));
    }

    record Workload(String kind, String name, PodTemplateSpec template) {}

    static List<Workload> workloads(Rendered render) {
        List<Workload> workloads = new ArrayList<>();
        render.all(Deployment.class)
                .forEach(d -> workloads.add(new Workload(
                        "Deployment", d.getMetadata().getName(), d.getSpec().getTemplate())));
        render.all(StatefulSet.class)
                .forEach(s -> workloads.add(new Workload(
                        "StatefulSet", s.getMetadata().getName(), s.getSpec().getTemplate())));
        render.all(Job.class)
                .forEach(j -> workloads.add(new Workload(
                        "Job", j.getMetadata().getName(), j.getSpec().getTemplate())));
        return workloads;
    }

    static void assertProbe(String where, Probe probe, String path, int port) {
        assertThat(probe).as(where).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(where).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).as(where).isEqualTo(port);
    }

    static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    static void assertSecretsOnlyByReference(Rendered render, String secretName) {
        for (Workload workload : workloads(render)) {
            for (Container c : workload.template().getSpec().getContainers()) {
                for (EnvVar e : c.getEnv()) {
                    boolean secretLike = e.getName().matches(".*(PASSWORD|TOKEN|SECRET|ACCESSKEY).*");
                    if (secretLike) {
                        assertThat(e.getValue()).as(e.getName()).isNull();
                        assertThat(e.getValueFrom().getSecretKeyRef().getName())
                                .as(e.getName())
                                .isEqualTo(secretName);
                    }
                }
            }
        }
        // no ConfigMap carries a credential
        for (String name : Repo.COMPONENTS) {
            // a placeholder Spring fills from the environment (the Kafka JAAS line) is not a credential
            String config = render.springConfig(name).toString().replaceAll("password=\"\\$\\{[A-Z_]+}\"", "");
            assertThat(config).doesNotContainIgnoringCase("password");
            assertThat(render.springConfig(name).toString()).doesNotContainIgnoringCase("secret");
            assertThat(render.springConfig(name).toString()).doesNotContainIgnoringCase("token");
        }
    }

    static void findCredentials(String path, Object node, List<String> into) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> findCredentials(path + "." + k, v, into));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> findCredentials(path + "[]", v, into));
        } else if (node != null
                && !String.valueOf(node).isEmpty()
                && path.toLowerCase().matches(".*(password|secretkey|secret-key|accesskey|access-key|token).*")) {
            into.add(path + "=" + node);
        }
    }

    static void collectAlertNames(Object spec, Set<String> into) {
        for (Object group : Repo.list(Repo.map(spec).get("groups"))) {
            for (Object rule : Repo.list(Repo.map(group).get("rules"))) {
                into.add(String.valueOf(Repo.map(rule).get("alert")));
            }
        }
    }
}
