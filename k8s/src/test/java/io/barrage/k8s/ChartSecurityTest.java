package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barrage.k8s.Chart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's security: secrets only by reference, network policies, the forwarded-for trust, the Redis and
 * Kafka credentials, TLS, and one origin allow-list for the gateway and the shards.
 */
class ChartSecurityTest extends ChartTestBase {

    @Test
    void theDefaultsInlineNoSecretAndEveryReferenceResolves() {
        // The generated Secret is a pre-install hook (so upgrades never regenerate it), which a template
        // render leaves out: the release's manifest carries no credential at all.
        assertThat(DEFAULTS.ofKind("Secret")).isEmpty();
        assertSecretsOnlyByReference(DEFAULTS, "barrage-credentials");

        // ... and the hook takes nothing from values: every key is random, 40 characters.
        String template = Repo.read(Repo.chart().resolve("templates/secret.yaml"));
        assertThat(template)
                .contains("helm.sh/hook: pre-install")
                .contains("{{ $key }}: {{ randAlphaNum 40 | b64enc | quote }}")
                .contains("\"service-token\"", "\"user-service-db-password\"", "\"s3-secret-key\"");
        assertThat(template.lines().filter(line -> line.contains(".Values")))
                .allSatisfy(line -> assertThat(line).contains(".Values.secrets.existingSecret"));

        // the defaults have no value for anything that looks like a credential
        Map<String, Object> values = Repo.yaml(Repo.chart().resolve("values.yaml"));
        List<String> offenders = new ArrayList<>();
        findCredentials("", values, offenders);
        assertThat(offenders).isEmpty();
    }

    @Test
    void anExistingSecretIsReferencedAndNoneIsCreated() {
        assertThat(PRODUCTION.ofKind("Secret")).isEmpty();
        assertSecretsOnlyByReference(PRODUCTION, "barrage-prod-credentials");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void networkPoliciesCloseEverythingAndOpenOnlyWhatTheArchitectureNeeds(String label, Rendered render) {
        NetworkPolicy deny = render.get(NetworkPolicy.class, "barrage-default-deny");
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getEgress()).isNullOrEmpty();

        Map<Integer, List<String>> owners = Map.of(
                3306, List.of("user-service", "video-service", "danmaku-service", "scheduler-service"),
                6379, List.of("gateway", "user-service", "video-service", "danmaku-service"),
                9000, List.of("video-service", "scheduler-service"));
        for (String name : Repo.COMPONENTS) {
            NetworkPolicy policy = render.get(NetworkPolicy.class, name);
            // only the gateway is reachable from the ingress controller; the rest (and so /internal)
            // only from the release's own pods and from monitoring
            var ingressRules = policy.getSpec().getIngress();
            assertThat(ingressRules).isNotEmpty();
            ingressRules.forEach(rule -> assertThat(rule.getFrom()).isNotEmpty());
            boolean fromIngressController = ingressRules.stream()
                    .flatMap(r -> r.getFrom().stream())
                    .anyMatch(peer -> peer.getNamespaceSelector() != null
                            && "ingress-nginx"
                                    .equals(peer.getNamespaceSelector()
                                            .getMatchLabels()
                                            .get("kubernetes.io/metadata.name")));
            assertThat(fromIngressController).as(name).isEqualTo(name.equals("gateway"));
            // monitoring reaches the actuator's port only; the API port (and so /internal) only the ingress
            // controller (gateway) or the components (the others)
            int api = Repo.PORTS.get(name);
            int management = Repo.MANAGEMENT_PORTS.get(name);
            for (var rule : ingressRules) {
                boolean fromMonitoring = rule.getFrom().stream()
                        .anyMatch(peer -> peer.getNamespaceSelector() != null
                                && "monitoring"
                                        .equals(peer.getNamespaceSelector()
                                                .getMatchLabels()
                                                .get("kubernetes.io/metadata.name")));
                assertThat(rule.getPorts())
                        .as("%s ingress from %s", name, rule.getFrom())
                        .extracting(p -> p.getPort().getIntVal())
                        .containsExactly(fromMonitoring ? management : api);
            }
            // pods of the release reach a service's port (and its /internal API) only if they are one of
            // the six components: the topic Job and anything else in the namespace do not
            ingressRules.stream()
                    .flatMap(r -> r.getFrom().stream())
                    .filter(peer -> peer.getPodSelector() != null && peer.getNamespaceSelector() == null)
                    .forEach(peer -> assertThat(peer.getPodSelector().getMatchExpressions())
                            .as(name)
                            .singleElement()
                            .satisfies(e -> {
                                assertThat(e.getKey()).isEqualTo("app.kubernetes.io/name");
                                assertThat(e.getOperator()).isEqualTo("In");
                                assertThat(e.getValues()).containsExactlyInAnyOrderElementsOf(Repo.COMPONENTS);
                            }));

            Set<Integer> egressPorts = new HashSet<>();
            for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
                for (NetworkPolicyPort port : rule.getPorts()) {
                    egressPorts.add(port.getPort().getIntVal());
                }
            }
            owners.forEach((port, allowed) -> assertThat(egressPorts.contains(port))
                    .as("%s may reach port %s", name, port)
                    .isEqualTo(allowed.contains(name)));
        }
    }

    @Test
    void behindTheIngressTheGatewayBelievesForwardedForFromTheControllerOnly() {
        assertThat(DEFAULTS.property("gateway", "barrage.gateway.trusted-proxies"))
                .isNull();
        assertThat(Repo.list(PRODUCTION.property("gateway", "barrage.gateway.trusted-proxies")))
                .containsExactly("10.244.0.0/16");
        assertThat(Repo.read(Repo.root().resolve("gateway/src/main/java/io/barrage/gateway/edge/ClientAddress.java")))
                .contains("@ConfigurationProperties(\"barrage.gateway\")")
                .contains("List<String> trustedProxies");
    }

    /** Redis requires a password: every component that talks to Redis gets it from the Secret. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void everyComponentThatUsesRedisGetsThePasswordFromTheSecret(String label, Rendered render) {
        String secret = render == PRODUCTION ? "barrage-prod-credentials" : "barrage-credentials";
        List<String> redisUsers = new ArrayList<>();
        for (Workload workload : workloads(render)) {
            if (workload.kind().equals("Job")) {
                continue;
            }
            Container c = workload.template().getSpec().getContainers().getFirst();
            EnvVar password = c.getEnv().stream()
                    .filter(e -> e.getName().equals("SPRING_DATA_REDIS_PASSWORD"))
                    .findFirst()
                    .orElse(null);
            // the transcoders run video-service with its configuration
            String component = workload.name().equals("video-transcoder") ? "video-service" : workload.name();
            if (render.property(component, "spring.data.redis.host") == null) {
                assertThat(password)
                        .as(workload.name() + " has no Redis, so no password")
                        .isNull();
                continue;
            }
            redisUsers.add(workload.name());
            assertThat(password).as(workload.name() + " uses Redis").isNotNull();
            assertThat(password.getValue()).isNull();
            assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret);
            assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("redis-password");
        }
        assertThat(redisUsers)
                .containsExactlyInAnyOrder(
                        "gateway", "user-service", "video-service", "video-transcoder", "danmaku-service");
        // the generated Secret has the key too
        assertThat(Repo.read(Repo.chart().resolve("templates/secret.yaml"))).contains("\"redis-password\"");
        // an ACL user, when given, is configuration; switched off, no component sends a password
        Rendered acl = Chart.render(c -> c.set("redis.auth.username", "barrage"));
        assertThat(acl.property("video-service", "spring.data.redis.username")).isEqualTo("barrage");
        Rendered open = Chart.render(c -> c.set("redis.auth.enabled", false));
        for (Workload workload : workloads(open)) {
            assertThat(workload.template().getSpec().getContainers().getFirst().getEnv())
                    .noneMatch(e -> e.getName().equals("SPRING_DATA_REDIS_PASSWORD"));
        }
    }

    @Test
    void kafkaSaslIsOffByDefaultAndReadsItsPasswordFromTheSecretInProduction() {
        for (String name : Repo.COMPONENTS) {
            assertThat(DEFAULTS.property(name, "spring.kafka.properties"))
                    .as(name)
                    .isNull();
            Map<?, ?> kafka = Repo.map(PRODUCTION.property(name, "spring.kafka.properties"));
            assertThat(kafka.get("security.protocol")).as(name).isEqualTo("SASL_SSL");
            assertThat(kafka.get("sasl.mechanism")).as(name).isEqualTo("SCRAM-SHA-512");
            assertThat(kafka.get("sasl.jaas.config"))
                    .as(name)
                    .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule required"
                            + " username=\"barrage\" password=\"${BARRAGE_KAFKA_PASSWORD}\";");
        }
        for (Workload workload : workloads(PRODUCTION)) {
            EnvVar password = workload.template().getSpec().getContainers().getFirst().getEnv().stream()
                    .filter(e -> e.getName().equals("BARRAGE_KAFKA_PASSWORD"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(workload.name() + " has no Kafka password"));
            assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("kafka-password");
        }
        String script = String.join(
                "\n",
                PRODUCTION
                        .get(Job.class, "kafka-topics-r1")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getArgs());
        assertThat(script).contains("security.protocol=SASL_SSL").contains("--command-config /tmp/client.properties");
        // the password must come from a Secret the operator made (the broker's user)
        assertThatThrownBy(() -> Chart.render(c -> c.set("kafka.sasl.enabled", true)))
                .hasMessageContaining("kafka-password");
    }

    @Test
    void behindTlsTheGatewaySendsHstsAndTheSessionCookieIsSecure() {
        assertThat(DEFAULTS.property("gateway", "barrage.gateway.tls")).isNull();
        assertThat(DEFAULTS.property("user-service", "barrage.session")).isNull();
        assertThat(PRODUCTION.property("gateway", "barrage.gateway.tls.enabled"))
                .isEqualTo(true);
        assertThat(PRODUCTION.property("user-service", "barrage.session.cookie-secure"))
                .isEqualTo(true);
        // TLS at a load balancer in front, without the ingress's own TLS
        Rendered behindBalancer = Chart.render(c -> c.set("tls.enabled", true));
        assertThat(behindBalancer.property("gateway", "barrage.gateway.tls.enabled"))
                .isEqualTo(true);
    }

    @Test
    void theGatewayAndEveryPushShardCheckBrowserOriginsAgainstOneList() {
        assertThat(Repo.list(DEFAULTS.property("gateway", "barrage.gateway.cors.allowed-origins")))
                .isEmpty();
        assertThat(Repo.list(DEFAULTS.property("push-service", "barrage.push.allowed-origins")))
                .isEmpty();
        Rendered listed = Chart.render(c -> c.set("cors.allowedOrigins[0]", "https://embed.example"));
        assertThat(Repo.list(listed.property("gateway", "barrage.gateway.cors.allowed-origins")))
                .containsExactly("https://embed.example");
        assertThat(Repo.list(listed.property("push-service", "barrage.push.allowed-origins")))
                .containsExactly("https://embed.example");
    }
}
