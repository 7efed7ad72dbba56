package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Per-account danmaku settings, as the gateway forwards a signed-in viewer's requests. */
class DanmakuSettingsTest extends UserServiceContext {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PATH = "/api/v1/users/me/danmaku-settings";
    private final HttpClient http = HttpClient.newHttpClient();
    private final String serviceToken = TestInfra.get().serviceToken();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private long userId;

    @BeforeEach
    void register() throws Exception {
        String name = "viewer_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        var registered = send(
                "POST",
                "/api/v1/users",
                JSON.writeValueAsString(Map.of("username", name, "password", "correct horse battery")));
        assertThat(registered.statusCode()).isEqualTo(201);
        userId = JSON.readTree(registered.body()).get("id").asLong();
    }

    @Test
    void settingsRoundTripAndAStaleVersionIsRefusedWith412() throws Exception {
        var initial = asUser("GET", PATH, null);
        assertThat(initial.statusCode()).isEqualTo(200);
        JsonNode defaults = JSON.readTree(initial.body());
        assertThat(defaults.get("version").asLong()).isZero();
        assertThat(defaults.get("rules")).isEmpty();
        assertThat(defaults.get("displayArea").asInt()).isEqualTo(100);
        assertThat(defaults.get("opacity").asDouble()).isEqualTo(1.0);
        assertThat(initial.headers().firstValue("ETag")).contains("\"0\"");

        String first = JSON.writeValueAsString(Map.of(
                "version",
                0,
                "rules",
                List.of(
                        Map.of("type", "keyword", "value", " spoiler "),
                        Map.of("type", "regex", "value", "^2{3,}$"),
                        Map.of("type", "user", "value", "42", "enabled", false),
                        Map.of("type", "keyword", "value", "SPOILER")),
                "hiddenModes",
                List.of("top", "BOTTOM"),
                "hideColored",
                true,
                "mergeRepeats",
                true,
                "displayArea",
                50,
                "subtitleSafe",
                true,
                "speed",
                1.5,
                "fontScale",
                0.75,
                "opacity",
                0.6));
        var saved = asUser("PUT", PATH, first);
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(saved.headers().firstValue("ETag")).contains("\"1\"");

        // another device reads exactly what was saved, trimmed and de-duplicated
        JsonNode read = JSON.readTree(asUser("GET", PATH, null).body());
        assertThat(read.get("version").asLong()).isEqualTo(1);
        assertThat(read.get("rules")
                        .valueStream()
                        .map(r ->
                                r.get("type").asString() + ":" + r.get("value").asString() + ":"
                                        + r.get("enabled").asBoolean()))
                .containsExactly("keyword:spoiler:true", "regex:^2{3,}$:true", "user:42:false");
        assertThat(read.get("hiddenModes").valueStream().map(JsonNode::asString))
                .containsExactly("TOP", "BOTTOM");
        assertThat(read.get("hideColored").asBoolean()).isTrue();
        assertThat(read.get("mergeRepeats").asBoolean()).isTrue();
        assertThat(read.get("displayArea").asInt()).isEqualTo(50);
        assertThat(read.get("subtitleSafe").asBoolean()).isTrue();
        assertThat(read.get("speed").asDouble()).isEqualTo(1.5);
        assertThat(read.get("fontScale").asDouble()).isEqualTo(0.75);
        assertThat(read.get("opacity").asDouble()).isEqualTo(0.6);

        // a second device that still holds version 0 cannot overwrite it
        assertProblem(asUser("PUT", PATH, first), 412, "settings-version-conflict");

        // If-Match names the version too; the current one wins, a stale one is refused
        String second = JSON.writeValueAsString(Map.of("rules", List.of(Map.of("type", "keyword", "value", "ending"))));
        var updated = asUser("PUT", PATH, second, "If-Match", "\"1\"");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(JSON.readTree(updated.body()).get("version").asLong()).isEqualTo(2);
        assertThat(JSON.readTree(updated.body()).get("displayArea").asInt())
                .as("a full replace: what is left out is the default")
                .isEqualTo(100);
        assertProblem(asUser("PUT", PATH, second, "If-Match", "\"1\""), 412, "settings-version-conflict");
        assertThat(jdbc.queryForObject("SELECT version FROM danmaku_settings WHERE user_id = ?", Long.class, userId))
                .isEqualTo(2);

        // without any version a write is refused rather than guessed
        assertProblem(asUser("PUT", PATH, "{\"rules\":[]}"), 428, "settings-version-required");
        // and without a verified user there are no settings
        assertProblem(send("GET", PATH, null), 401, "unauthenticated");
    }

    @Test
    void aBilibiliBlockListImportsAsTypedRulesAndExportsBackInItsFormat() throws Exception {
        String sample;
        try (InputStream in = getClass().getResourceAsStream("/bilibili-block-rules.json")) {
            sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var imported = asUser("POST", PATH + "/import", sample);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(imported.body());
        assertThat(result.get("imported").asInt()).isEqualTo(6);
        assertThat(result.get("duplicates").asInt()).isZero();
        assertThat(result.get("settings").get("version").asLong()).isEqualTo(1);
        assertThat(result.get("settings")
                        .get("rules")
                        .valueStream()
                        .map(r ->
                                r.get("type").asString() + ":" + r.get("value").asString() + ":"
                                        + r.get("enabled").asBoolean()))
                .containsExactly(
                        "keyword:剧透:true",
                        "keyword:tony:true",
                        "regex:0+.1:true",
                        "regex:^(哈){4,}$:true",
                        "user:e1a8d4b2:true",
                        "keyword:前方高能:false");

        // the same file again adds nothing
        JsonNode again = JSON.readTree(asUser("POST", PATH + "/import", sample).body());
        assertThat(again.get("imported").asInt()).isZero();
        assertThat(again.get("duplicates").asInt()).isEqualTo(6);

        // the API's wrapped form ({"rule": [...]}) imports too
        JsonNode wrapped = JSON.readTree(asUser(
                        "POST",
                        PATH + "/import",
                        "{\"rule\":[{\"type\":0,\"filter\":\"ads\",\"opened\":true,\"id\":9}]}")
                .body());
        assertThat(wrapped.get("imported").asInt()).isEqualTo(1);

        var export = asUser("GET", PATH + "/export", null);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition").orElse(""))
                .contains("attachment", "barrage-danmaku-rules.json");
        JsonNode entries = JSON.readTree(export.body());
        assertThat(entries.valueStream()
                        .map(e -> e.get("type").asInt() + ":" + e.get("filter").asString() + ":"
                                + e.get("opened").asBoolean()))
                .containsExactly(
                        "0:剧透:true",
                        "0:tony:true",
                        "1:0+.1:true",
                        "1:^(哈){4,}$:true",
                        "2:e1a8d4b2:true",
                        "0:前方高能:false",
                        "0:ads:true");
        assertThat(entries.get(0).get("id").isNumber()).isTrue();
    }

    @Test
    void aRegexRe2CannotCompileIsRefusedNamingTheRuleAndNothingIsStored() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "version",
                0,
                "rules",
                List.of(Map.of("type", "keyword", "value", "fine"), Map.of("type", "regex", "value", "(unclosed"))));
        JsonNode problem = assertProblem(asUser("PUT", PATH, body), 400, "invalid-regex");
        assertThat(problem.get("field").asString()).isEqualTo("rules[1].value");
        assertThat(problem.get("detail").asString()).contains("Rule 2", "(unclosed");

        // backtracking-only constructs (lookahead, back-references) are no RE2: refused as well
        String lookahead = JSON.writeValueAsString(
                Map.of("version", 0, "rules", List.of(Map.of("type", "regex", "value", "a(?=b)"))));
        assertProblem(asUser("PUT", PATH, lookahead), 400, "invalid-regex");
        String imported = "[{\"type\":0,\"filter\":\"ok\",\"opened\":true,\"id\":1},"
                + "{\"type\":1,\"filter\":\"(\\\\1)\",\"opened\":true,\"id\":2}]";
        JsonNode importProblem = assertProblem(asUser("POST", PATH + "/import", imported), 400, "invalid-regex");
        assertThat(importProblem.get("field").asString()).isEqualTo("rules[1].value");

        assertThat(JSON.readTree(asUser("GET", PATH, null).body())
                        .get("version")
                        .asLong())
                .as("nothing half-written")
                .isZero();
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM danmaku_settings WHERE user_id = ?", Integer.class, userId))
                .isZero();
    }

    @Test
    void oversizedRuleListsRulesAndBodiesAreRefused() throws Exception {
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add(Map.of("type", "keyword", "value", "word" + i));
        }
        JsonNode tooMany = assertProblem(
                asUser("PUT", PATH, JSON.writeValueAsString(Map.of("version", 0, "rules", many))),
                400,
                "too-many-rules");
        assertThat(tooMany.get("field").asString()).isEqualTo("rules");
        // a thousand is fine
        var thousand =
                asUser("PUT", PATH, JSON.writeValueAsString(Map.of("version", 0, "rules", many.subList(0, 1000))));
        assertThat(thousand.statusCode()).as(thousand.body()).isEqualTo(200);
        // and an import cannot push past it
        assertProblem(
                asUser("POST", PATH + "/import", "[{\"type\":0,\"filter\":\"one more\",\"opened\":true,\"id\":1}]"),
                400,
                "too-many-rules");

        String longRule = JSON.writeValueAsString(
                Map.of("version", 1, "rules", List.of(Map.of("type", "keyword", "value", "字".repeat(201)))));
        JsonNode tooLong = assertProblem(asUser("PUT", PATH, longRule), 400, "rule-too-long");
        assertThat(tooLong.get("field").asString()).isEqualTo("rules[0].value");

        String huge = "{\"version\":1,\"rules\":[{\"type\":\"keyword\",\"value\":\"" + "x".repeat(1_100_000) + "\"}]}";
        assertProblem(asUser("PUT", PATH, huge), 413, "payload-too-large");

        assertThat(JSON.readTree(asUser("GET", PATH, null).body()).get("rules")).hasSize(1000);
    }

    @Test
    void switchesOutsideTheirRangeAreRefusedNamingTheField() throws Exception {
        for (var bad : List.<Map<String, Object>>of(
                Map.of("displayArea", 60),
                Map.of("hiddenModes", List.of("SIDEWAYS")),
                Map.of("speed", 5),
                Map.of("opacity", 0),
                Map.of("fontScale", 3))) {
            Map<String, Object> body = new java.util.HashMap<>(bad);
            body.put("version", 0);
            JsonNode problem =
                    assertProblem(asUser("PUT", PATH, JSON.writeValueAsString(body)), 400, "invalid-settings");
            assertThat(problem.get("field").asString())
                    .isEqualTo(bad.keySet().iterator().next());
        }
        assertProblem(asUser("PUT", PATH, "{\"version\":0,\"displayArea\":\"wide\"}"), 400, "invalid-request");
        assertProblem(asUser("PUT", PATH, "{\"version\":0,"), 400, "malformed-json");
        assertProblem(
                asUser(
                        "PUT",
                        PATH,
                        JSON.writeValueAsString(
                                Map.of("version", 0, "rules", List.of(Map.of("type", "colour", "value", "red"))))),
                400,
                "invalid-settings");
    }

    @Test
    void theSettingsEndpointsAreDocumentedWithTheirBodies() throws Exception {
        JsonNode api = JSON.readTree(send("GET", "/v3/api-docs", null).body());
        JsonNode settings = api.get("paths").get(PATH);
        assertThat(settings.has("get")).isTrue();
        assertThat(settings.get("put").get("requestBody").toString()).contains("SettingsUpdate");
        assertThat(api.get("components")
                        .get("schemas")
                        .get("SettingsUpdate")
                        .get("properties")
                        .has("rules"))
                .isTrue();
        assertThat(api.get("paths").has(PATH + "/import")).isTrue();
        assertThat(api.get("paths").has(PATH + "/export")).isTrue();
    }

    private HttpResponse<String> asUser(String method, String path, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 4];
        all[0] = "X-User-Id";
        all[1] = Long.toString(userId);
        all[2] = "X-Service-Token";
        all[3] = serviceToken;
        System.arraycopy(headers, 0, all, 4, headers.length);
        return send(method, path, body, all);
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("code").asString()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception", "SQL", "at io.");
        return body;
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
