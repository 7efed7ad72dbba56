package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Numbers and text a client should never get a 5xx for, nor see stored differently from what was
 * acknowledged: every one is answered, refused ones with a 4xx in the endpoint's own error format.
 */
class HostileInputTest extends DanmakuTestBase {

    private static final long VIDEO = 49;
    private final AtomicLong users = new AtomicLong(2200); // one sender each: no cooldown in the way

    @Test
    void aDPlayerTimeBeyondADoubleIsABadRequestNotAServerError() throws Exception {
        HttpResponse<String> response = dplayer("{\"id\":49,\"time\":1e400,\"text\":\"inf\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode error = json.readTree(response.body());
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("reason").asString()).isEqualTo("playback-out-of-range");
        assertThat(error.get("msg").asString()).isNotBlank();
    }

    @Test
    void noNumericInputOfAnyDanmakuEndpointGetsAServerError() throws Exception {
        String max = Long.toString(Long.MAX_VALUE);
        List<String> reads = List.of(
                "/api/v1/videos/49/danmaku?fromMs=-1",
                "/api/v1/videos/49/danmaku?toMs=-5",
                "/api/v1/videos/49/danmaku?fromMs=99999999999999999999",
                "/api/v1/videos/49/danmaku?toMs=1e400",
                "/api/v1/videos/49/danmaku?fromMs=NaN",
                "/api/v1/videos/49/danmaku?fromMs=abc&toMs=",
                "/api/v1/videos/49/danmaku?fromMs=" + max + "&toMs=" + max,
                "/api/v1/videos/49/danmaku?limit=99999999999",
                "/api/v1/videos/49/danmaku?limit=-1",
                "/api/v1/videos/49/danmaku?segment=99999999999",
                "/api/v1/videos/49/danmaku?segment=2147483647",
                "/api/v1/videos/49/danmaku?segment=Infinity",
                "/api/v1/videos/99999999999999999999/danmaku",
                "/api/v1/videos/-1/danmaku",
                "/api/v1/videos/0/danmaku.xml",
                "/api/v1/videos/49/danmaku.xml?limit=1e400",
                "/api/v1/videos/49/danmaku.xml?limit=0",
                "/api/v1/videos/49/danmaku.xml?limit=" + max,
                "/dplayer/v3/?id=49&max=1e400",
                "/dplayer/v3/?id=49&max=-1",
                "/dplayer/v3/?id=49&max=99999999999",
                "/dplayer/v3/?id=49&limit=NaN",
                "/dplayer/v3/?id=1e400",
                "/dplayer/v3/?id=-5",
                "/dplayer/v3/?id=99999999999999999999");
        for (String path : reads) {
            assertAnswered(get(path), path.startsWith("/dplayer"));
        }

        List<String> posts = List.of(
                "{\"text\":\"x\",\"playbackMs\":1e400}",
                "{\"text\":\"x\",\"playbackMs\":-1e400}",
                "{\"text\":\"x\",\"playbackMs\":-1}",
                "{\"text\":\"x\",\"playbackMs\":99999999999999999999}",
                "{\"text\":\"x\",\"playbackMs\":" + max + "}",
                "{\"text\":\"x\",\"playbackMs\":1.5}",
                "{\"text\":\"x\",\"playbackMs\":NaN}",
                "{\"text\":\"x\",\"playbackMs\":\"Infinity\"}",
                "{\"text\":\"x\",\"playbackMs\":0,\"color\":-1}",
                "{\"text\":\"x\",\"playbackMs\":0,\"color\":16777216}",
                "{\"text\":\"x\",\"playbackMs\":0,\"color\":1e400}",
                "{\"text\":\"x\",\"playbackMs\":0,\"color\":9223372036854775808}",
                "{\"text\":\"x\",\"playbackMs\":0,\"mode\":123}",
                "{\"text\":[\"x\"],\"playbackMs\":0}",
                "{\"text\":1e400,\"playbackMs\":0}");
        for (String body : posts) {
            assertAnswered(post(VIDEO, users.incrementAndGet(), body), false);
        }

        List<String> dplayerPosts = List.of(
                "{\"id\":49,\"time\":-1e400,\"text\":\"x\"}",
                "{\"id\":49,\"time\":1e300,\"text\":\"x\"}",
                "{\"id\":49,\"time\":-1,\"text\":\"x\"}",
                "{\"id\":49,\"time\":9223372036854775807,\"text\":\"x\"}",
                "{\"id\":49,\"time\":99999999999999999999999,\"text\":\"x\"}",
                "{\"id\":49,\"time\":\"12\",\"text\":\"x\"}",
                "{\"id\":49,\"time\":NaN,\"text\":\"x\"}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"color\":1e400}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"color\":99999999999999999999}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"color\":-5}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"type\":99999999999999999999}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"type\":1e400}",
                "{\"id\":49,\"time\":1,\"text\":\"x\",\"type\":-1}",
                "{\"id\":1e400,\"time\":1,\"text\":\"x\"}",
                "{\"id\":99999999999999999999,\"time\":1,\"text\":\"x\"}",
                "{\"id\":{\"a\":1},\"time\":1,\"text\":\"x\"}",
                "[1,2,3]",
                "\"just a string\"");
        for (String body : dplayerPosts) {
            assertAnswered(dplayer(body), true);
        }
    }

    @Test
    void textTheStoreCannotKeepIsRefusedInsteadOfAcknowledged() throws Exception {
        List<String> unkeepable = List.of(
                "\\ud800", // a lone high surrogate
                "a\\udc00b", // a lone low surrogate
                "\\ufffe",
                "x\\uffffx",
                "\\ufdd0",
                "\\ud83f\\udffe", // U+1FFFE, a non-character outside the BMP
                "\\udbff\\udfff"); // U+10FFFF
        for (String text : unkeepable) {
            assertProblem(
                    post(VIDEO, users.incrementAndGet(), "{\"text\":\"" + text + "\",\"playbackMs\":0}"),
                    400,
                    "invalid-text");
            HttpResponse<String> dplayer = dplayer("{\"id\":49,\"time\":1,\"text\":\"" + text + "\"}");
            assertThat(dplayer.statusCode()).as(text).isEqualTo(400);
            assertThat(json.readTree(dplayer.body()).get("reason").asString()).isEqualTo("invalid-text");
        }
        for (String hidden : List.of("\\u202eevil", "a\\u2066b", "zero\\u200bwidth", "\\u200dlead", "trail\\u200c")) {
            assertProblem(
                    post(VIDEO, users.incrementAndGet(), "{\"text\":\"" + hidden + "\",\"playbackMs\":0}"),
                    400,
                    "control-characters");
        }
        // Joiners inside a word or an emoji sequence are what real scripts and emoji need.
        HttpResponse<String> joined = post(
                VIDEO,
                users.incrementAndGet(),
                "{\"text\":\"\\ud83d\\udc69\\u200d\\ud83d\\udcbb \\u0645\\u200c\\u06cc\",\"playbackMs\":0}");
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(201);
        assertThat(json.readTree(joined.body()).get("text").asString()).isEqualTo("👩\u200D💻 م\u200Cی");
    }

    @Test
    void theXmlExportStaysWellFormedWhateverTextWasStoredBefore() throws Exception {
        insertRow(9_300_000_001L, 48, 1, 1_000, "before\uFFFEafter");
        insertRow(9_300_000_002L, 48, 2, 2_000, "bell\u0007and\uFFFFend");
        HttpResponse<String> xml = get("/api/v1/videos/48/danmaku.xml");
        assertThat(xml.statusCode()).isEqualTo(200);
        var document = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.body().getBytes(StandardCharsets.UTF_8)));
        var items = document.getElementsByTagName("d");
        assertThat(items.getLength()).isEqualTo(2);
        assertThat(items.item(0).getTextContent()).isEqualTo("before\uFFFDafter");
        assertThat(items.item(1).getTextContent()).isEqualTo("bell\uFFFDand\uFFFDend");
    }

    private HttpResponse<String> dplayer(String body) throws Exception {
        return send("POST", "/dplayer/v3/", users.incrementAndGet(), body);
    }

    /** Answered: never a 5xx; a refusal in the endpoint's own format (DPlayer's code/msg, else problem+json). */
    private static void assertAnswered(HttpResponse<String> response, boolean dplayer) {
        String what = response.request().method() + " " + response.request().uri() + " -> " + response.body();
        assertThat(response.statusCode()).as(what).isLessThan(500);
        if (response.statusCode() >= 400) {
            if (dplayer) {
                JsonNode error = json.readTree(response.body());
                assertThat(error.get("code").asInt()).as(what).isNotZero();
                assertThat(error.get("msg").asString()).as(what).isNotBlank();
            } else {
                assertThat(response.headers().firstValue("Content-Type"))
                        .as(what)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            }
        }
    }
}
