package io.barrage.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                        "Purge failures");
        assertThat(dashboardMetrics())
                .contains(
                        "barrage_danmaku_ingest_total",
                        "barrage_danmaku_delivery_latency_seconds_bucket",
                        "barrage_push_connections",
                        "kafka_consumer_fetch_manager_records_lag_max",
                        "http_server_requests_seconds_count",
                        "http_server_requests_seconds_bucket",
                        "barrage_scheduler_purge_backlog",
                        "barrage_scheduler_purge_failures_total");
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
        // label matchers and strings are not metric names
        String stripped = promql.replaceAll("\\{[^}]*}", "{}").replaceAll("\"[^\"]*\"", "\"\"");
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
