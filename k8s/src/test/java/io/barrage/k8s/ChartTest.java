package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.barrage.k8s.Chart.Rendered;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChartTest {

    private static final Rendered DEFAULTS = Chart.defaults();
    private static final Rendered PRODUCTION = Chart.production();
    private static final String TRANSCODER = "video-transcoder";

    static Stream<Arguments> renders() {
        return Stream.of(Arguments.of("default values", DEFAULTS), Arguments.of("values-production.yaml", PRODUCTION));
    }

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
    }

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

    // ---------------------------------------------------------------------------------------------

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

    private static void assertProbe(String where, Probe probe, String path, int port) {
        assertThat(probe).as(where).isNotNull();
        assertThat(probe.getHttpGet().getPath()).as(where).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getIntVal()).as(where).isEqualTo(port);
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElse(null);
    }

    private static void assertSecretsOnlyByReference(Rendered render, String secretName) {
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

    private static void findCredentials(String path, Object node, List<String> into) {
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
