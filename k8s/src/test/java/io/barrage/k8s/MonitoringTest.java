package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class MonitoringTest {

    private static final String DASHBOARD = "deploy/monitoring/grafana/dashboards/barrage.json";
    private static final String ALERTS = "deploy/monitoring/alerts.yml";

    /** An identifier in PromQL; with label sets and strings removed it is a metric, a function or a keyword. */
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)");

    private static final Set<String> PROMQL_WORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool");

    @Test
    void theDashboardParsesAndHasAPanelForEverySignal() {
        JsonNode dashboard =
                JsonMapper.builder().build().readTree(Repo.read(Repo.root().resolve(DASHBOARD)));
        assertThat(dashboard.get("uid").asString()).isEqualTo("barrage-overview");
        List<String> titles = new ArrayList<>();
        dashboard.get("panels").forEach(p -> titles.add(p.get("title").asString()));

        assertThat(titles)
                .contains(
                        "Danmaku ingest rate by outcome",
                        "Danmaku ingest errors",
                        "End-to-end delivery latency",
                        "WebSocket connections per shard",
                        "Kafka consumer lag (max records behind)",
                        "Gateway 4xx / 5xx ratio",
                        "Gateway latency",
                        "Purge backlog",
                        "Purge failures",
                        "Rooms spread",
                        "Viewers per shard",
                        "Spread set of the hottest videos");
        assertThat(dashboardMetrics())
                .contains(
                        "http_server_requests_seconds_count",
                        "barrage_danmaku_delivery_latency_seconds_bucket",
                        "barrage_push_connections",
                        "kafka_consumer_fetch_manager_records_lag_max",
                        "danmaku_persist_lag_seconds_bucket",
                        "spring_cloud_gateway_requests_seconds_bucket",
                        "barrage_scheduler_purge_backlog",
                        "barrage_scheduler_purge_failures_total",
                        "barrage_push_spread_owned",
                        "barrage_push_spread_serving",
                        "barrage_push_spread_set_size");
    }

    /**
     * A panel or a rule on a metric that no service exports shows nothing and never fires. Every name they
     * use is either a meter the services' code registers (Micrometer's Prometheus naming: counters end in
     * {@code _total}, timers in {@code _seconds_count|sum|max|bucket}) or one of the framework's meters
     * below, each checked to be switched on where it needs to be.
     */
    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsExported() {
        Set<String> exported = new TreeSet<>(registeredMeters());
        // Spring's HTTP server observations, in every service
        exported.addAll(timer("http.server.requests"));
        // Spring Kafka's listener containers bind the Kafka client metrics of their consumers
        assertThat(Repo.read(Repo.root()
                        .resolve("danmaku-service/src/main/java/io/barrage/danmaku/history/DanmakuPersister.java")))
                .contains("@KafkaListener");
        exported.add("kafka_consumer_fetch_manager_records_lag_max");
        // the gateway's per-route timer is off by default: the chart and Compose switch it on, with buckets
        Chart.Rendered render = Chart.render(c -> c);
        assertThat(render.property("gateway", "spring.cloud.gateway.server.webflux.metrics.enabled"))
                .isEqualTo(true);
        assertThat(Repo.map(render.property("gateway", "management.metrics.distribution.percentiles-histogram")))
                .containsEntry("spring.cloud.gateway.requests", true);
        Map<String, Object> gatewayEnv =
                Repo.map(Repo.map(ComposeTest.service("gateway")).get("environment"));
        assertThat(gatewayEnv)
                .containsEntry("SPRING_CLOUD_GATEWAY_SERVER_WEBFLUX_METRICS_ENABLED", "true")
                .containsEntry(
                        "MANAGEMENT_METRICS_DISTRIBUTION_PERCENTILESHISTOGRAM_SPRING_CLOUD_GATEWAY_REQUESTS", "true");
        exported.addAll(timer("spring.cloud.gateway.requests"));
        // Prometheus' own
        exported.add("up");

        Set<String> used = new TreeSet<>(dashboardMetrics());
        used.addAll(alertMetrics());
        assertThat(used)
                .allSatisfy(metric -> assertThat(exported)
                        .as("%s is used by the dashboard or a rule but no service exports it", metric)
                        .contains(metric));
    }

    /** The transcoding workers are scraped like every other component: a Service the ServiceMonitor selects. */
    @Test
    void theServiceMonitorReachesTheTranscodingWorkers() {
        Chart.Rendered render = Chart.render(c -> c.set("monitoring.serviceMonitor.enabled", true));
        Service workers = render.get(Service.class, "video-transcoder");
        Map<String, String> labels = workers.getMetadata().getLabels();
        assertThat(labels)
                .containsEntry("app.kubernetes.io/part-of", "barrage")
                .doesNotContainKey("barrage.io/headless");
        assertThat(workers.getSpec().getPorts())
                .singleElement()
                .satisfies(port -> assertThat(port.getName()).isEqualTo("management"));
        Deployment deployment = render.get(Deployment.class, "video-transcoder");
        assertThat(workers.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(deployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .getFirst()
                        .getPorts())
                .anySatisfy(port -> assertThat(port.getName()).isEqualTo("management"));
        // the monitor's endpoint is that port
        assertThat(render.yaml()).contains("kind: ServiceMonitor").contains("- port: management");
    }

    /** The labels and label values the queries select on exist too. */
    @Test
    void theLabelsTheQueriesSelectOnExist() {
        String queries = String.join("\n", queries());
        // connections per shard: push-service tags every meter with its shard index, on Kubernetes and in Compose
        assertThat(queries).contains("sum by (shard) (barrage_push_connections)");
        assertThat(Chart.render(c -> c).property("push-service", "management.metrics.tags.shard"))
                .isEqualTo("${barrage.push.shard-index:0}");
        assertThat(Repo.map(Repo.map(ComposeTest.service("push-service")).get("environment")))
                .containsEntry("MANAGEMENT_METRICS_TAGS_SHARD", "0");
        // danmaku ingest: the request mappings that create danmaku
        assertThat(queries).contains("uri=~\"/api/v1/videos/[{]id[}]/danmaku|/dplayer/v3/?\"");
        assertThat(Repo.read(Repo.root()
                        .resolve("danmaku-service/src/main/java/io/barrage/danmaku/ingest/DanmakuController.java")))
                .contains("@PostMapping(\"/api/v1/videos/{id}/danmaku\")");
        assertThat(Repo.read(Repo.root()
                        .resolve("danmaku-service/src/main/java/io/barrage/danmaku/compat/DPlayerController.java")))
                .contains("@PostMapping({\"/dplayer/v3\", \"/dplayer/v3/\"})");
        // the gateway's WebSocket route, left out of its latency
        assertThat(queries).contains("routeId!=\"push-service-ws\"");
        assertThat(Repo.read(Repo.root().resolve("gateway/src/main/resources/application.yml")))
                .contains("- id: push-service-ws");
    }

    @Test
    void everyAlertParsesHasARunbookAndWatchesWhatTheDashboardShows() {
        Map<String, Object> rules = Repo.yaml(Repo.root().resolve(ALERTS));
        Set<String> dashboard = dashboardMetrics();
        String operations = Repo.read(Repo.root().resolve("docs/operations.md"));
        Set<String> alertMetrics = new TreeSet<>();
        int alerts = 0;
        for (Object group : Repo.list(rules.get("groups"))) {
            for (Object value : Repo.list(Repo.map(group).get("rules"))) {
                Map<String, Object> rule = Repo.map(value);
                String name = String.valueOf(rule.get("alert"));
                alerts++;
                assertThat(rule.get("expr")).as(name).isNotNull();
                assertThat(rule.get("for")).as(name).isNotNull();
                assertThat(Repo.map(rule.get("labels")).get("severity"))
                        .as(name)
                        .isIn("critical", "warning");
                Map<String, Object> annotations = Repo.map(rule.get("annotations"));
                assertThat(annotations).as(name).containsKeys("summary", "description");
                String runbook = String.valueOf(annotations.get("runbook_url"));
                assertThat(runbook).isEqualTo("docs/operations.md#" + name.toLowerCase());
                assertThat(operations).as("runbook of %s", name).contains("### " + name + "\n");
                Set<String> used = metrics(String.valueOf(rule.get("expr")));
                assertThat(used).as(name).isNotEmpty();
                alertMetrics.addAll(used);
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(8);
        assertThat(dashboard).containsAll(alertMetrics);
    }

    @Test
    void theChartShipsTheSameRulesAndDashboard() {
        assertThat(Repo.read(Repo.chart().resolve("files/alerts.yml")))
                .isEqualTo(Repo.read(Repo.root().resolve(ALERTS)));
        assertThat(Repo.read(Repo.chart().resolve("files/barrage-dashboard.json")))
                .isEqualTo(Repo.read(Repo.root().resolve(DASHBOARD)));
        Map<String, Object> prometheus = Repo.yaml(Repo.root().resolve("deploy/monitoring/prometheus.yml"));
        assertThat(Repo.list(prometheus.get("rule_files"))).containsExactly("/etc/prometheus/alerts.yml");
    }

    @Test
    void theMetricExtractorFindsMetricsNotFunctionsLabelsOrDurations() {
        assertThat(metrics("sum by (le) (rate(a_bucket{job=\"gateway\",uri!~\"/ws/.*\"}[5m])) / "
                        + "clamp_min(sum(rate(b_total[5m])), 0.001) > 0.01 and up == 0 and c offset 10m"))
                .containsExactlyInAnyOrder("a_bucket", "b_total", "up", "c");
        // braces inside a label value are not the end of the label set
        assertThat(metrics("sum by (outcome) (rate(d_count{uri=~\"/v/[{]id[}]/x\",outcome=\"SERVER_ERROR\"}[1m]))"))
                .containsExactly("d_count");
    }

    @Test
    void theMeterScannerKnowsMicrometersPrometheusNames() {
        assertThat(meters("Counter.builder(\"a.b\") Timer.builder(\"c.d\")\n Gauge.builder(\"e.f\", x, y)"))
                .containsExactlyInAnyOrder(
                        "a_b_total",
                        "c_d_seconds_count",
                        "c_d_seconds_sum",
                        "c_d_seconds_max",
                        "c_d_seconds_bucket",
                        "e_f");
    }

    private static final Pattern METER =
            Pattern.compile("(Counter|Timer|Gauge|DistributionSummary)\\.builder\\(\\s*\"([a-z0-9_.]+)\"");

    /** The meters the services' main code registers, by their Prometheus names. */
    private static Set<String> registeredMeters() {
        Set<String> names = new TreeSet<>();
        for (String module : Repo.COMPONENTS) {
            Path sources = Repo.root().resolve(module + "/src/main/java");
            try (Stream<Path> files = Files.walk(sources)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> names.addAll(meters(Repo.read(f))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(names).as("meters found in the services' code").hasSizeGreaterThan(5);
        return names;
    }

    static Set<String> meters(String java) {
        Set<String> names = new TreeSet<>();
        Matcher m = METER.matcher(java);
        while (m.find()) {
            String name = m.group(2);
            switch (m.group(1)) {
                case "Counter" -> names.add(name.replace('.', '_') + "_total");
                case "Timer" -> names.addAll(timer(name));
                case "DistributionSummary" -> names.addAll(summary(name.replace('.', '_')));
                default -> names.add(name.replace('.', '_'));
            }
        }
        return names;
    }

    private static Set<String> timer(String micrometerName) {
        return summary(micrometerName.replace('.', '_') + "_seconds");
    }

    private static Set<String> summary(String base) {
        return Set.of(base + "_count", base + "_sum", base + "_max", base + "_bucket");
    }

    private static Set<String> alertMetrics() {
        Set<String> names = new TreeSet<>();
        alertQueries().forEach(expr -> names.addAll(metrics(expr)));
        return names;
    }

    private static List<String> alertQueries() {
        List<String> queries = new ArrayList<>();
        for (Object group : Repo.list(Repo.yaml(Repo.root().resolve(ALERTS)).get("groups"))) {
            for (Object rule : Repo.list(Repo.map(group).get("rules"))) {
                queries.add(String.valueOf(Repo.map(rule).get("expr")));
            }
        }
        return queries;
    }

    /** Every PromQL expression of the dashboard's panels and of the rules. */
    private static List<String> queries() {
        List<String> queries = new ArrayList<>(alertQueries());
        JsonNode dashboard =
                JsonMapper.builder().build().readTree(Repo.read(Repo.root().resolve(DASHBOARD)));
        for (JsonNode panel : dashboard.get("panels")) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                targets.forEach(t -> queries.add(t.get("expr").asString()));
            }
        }
        return queries;
    }

    private static Set<String> dashboardMetrics() {
        JsonNode dashboard =
                JsonMapper.builder().build().readTree(Repo.read(Repo.root().resolve(DASHBOARD)));
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            JsonNode targets = panel.get("targets");
            if (targets != null) {
                targets.forEach(t -> names.addAll(metrics(t.get("expr").asString())));
            }
        }
        return names;
    }

    static Set<String> metrics(String promql) {
        // strings, then label matchers, are not metric names (a string may hold braces: uri templates)
        String stripped = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("\\{[^}]*}", "{}");
        stripped = stripped.replaceAll("(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(stripped);
        while (m.find()) {
            String name = m.group(1);
            boolean function = stripped.substring(m.end()).stripLeading().startsWith("(");
            if (!function && !PROMQL_WORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
