package io.barrage.danmaku.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.net.http.HttpResponse;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The DPlayer v3 backend and the bilibili XML export, field by field. */
class CompatibilityTest extends DanmakuTestBase {

    @Test
    void dplayerSendsAndReads() throws Exception {
        HttpResponse<String> sent = send(
                "POST",
                "/dplayer/v3/",
                1400,
                "{\"token\":\"ignored\",\"id\":\"50\",\"author\":\"someone\",\"time\":12.345,\"text\":\"from dplayer\","
                        + "\"color\":16711680,\"type\":1}");
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        assertThat(json.readTree(sent.body()).get("code").asInt()).isZero();
        assertThat(send(
                                "POST",
                                "/dplayer/v3/",
                                1401,
                                "{\"id\":50,\"time\":3,\"text\":\"bottom one\",\"color\":\"#00ff00\",\"type\":\"bottom\"}")
                        .statusCode())
                .isEqualTo(200);
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", 50L) == 2);

        JsonNode read = getJson("/dplayer/v3/?id=50&max=1000");
        assertThat(read.get("code").asInt()).isZero();
        JsonNode data = read.get("data");
        assertThat(data.size()).isEqualTo(2);
        JsonNode first = data.get(0); // ordered by time
        assertThat(first.get(0).asDouble()).isEqualTo(3.0);
        assertThat(first.get(1).asInt()).isEqualTo(2); // bottom
        assertThat(first.get(2).asInt()).isEqualTo(0x00FF00);
        assertThat(first.get(3).asString()).isEqualTo("1401");
        assertThat(first.get(4).asString()).isEqualTo("bottom one");
        JsonNode second = data.get(1);
        assertThat(second.get(0).asDouble()).isEqualTo(12.345);
        assertThat(second.get(1).asInt()).isEqualTo(1); // top
        assertThat(second.get(2).asInt()).isEqualTo(16711680);
        assertThat(second.get(3).asString()).isEqualTo("1400");
        assertThat(second.get(4).asString()).isEqualTo("from dplayer");
        assertThat(getJson("/dplayer/v3/?id=50&limit=1").get("data").size()).isEqualTo(1);
        assertThat(getJson("/dplayer/v3/?id=51").get("data").size()).isZero();
    }

    @Test
    void dplayerErrorsCarryANonZeroCodeAndAMessage() throws Exception {
        HttpResponse<String> anonymous = send("POST", "/dplayer/v3/", 0, "{\"id\":\"50\",\"time\":1,\"text\":\"hi\"}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(json.readTree(anonymous.body()).get("code").asInt()).isEqualTo(401);
        assertThat(json.readTree(anonymous.body()).get("msg").asString()).isNotBlank();

        HttpResponse<String> empty = send("POST", "/dplayer/v3/", 1402, "{\"id\":\"50\",\"time\":1,\"text\":\" \"}");
        assertThat(empty.statusCode()).isEqualTo(400);
        JsonNode error = json.readTree(empty.body());
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("reason").asString()).isEqualTo("text-empty");
        assertThat(error.get("msg").asString()).isNotBlank();

        HttpResponse<String> badId = get("/dplayer/v3/?id=abc");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(json.readTree(badId.body()).get("code").asInt()).isNotZero();
        HttpResponse<String> malformed = send("POST", "/dplayer/v3/", 1402, "{\"id\":");
        assertThat(json.readTree(malformed.body()).get("reason").asString()).isEqualTo("malformed-json");
    }

    @Test
    void bilibiliXmlIsExactAndEscaped() throws Exception {
        HttpResponse<String> a = post(
                52,
                1500,
                "{\"text\":\"<b>&\\\"'</b>\",\"playbackMs\":1500,\"mode\":\"TOP\","
                        + "\"color\":255,\"size\":\"SMALL\"}");
        assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
        HttpResponse<String> b =
                post(52, 1501, "{\"text\":\"plain\",\"playbackMs\":61000,\"mode\":\"BOTTOM\"," + "\"size\":\"LARGE\"}");
        assertThat(b.statusCode()).isEqualTo(201);
        JsonNode first = json.readTree(a.body());
        JsonNode second = json.readTree(b.body());
        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", 52L) == 2);

        HttpResponse<String> xml = get("/api/v1/videos/52/danmaku.xml");
        assertThat(xml.statusCode()).isEqualTo(200);
        assertThat(xml.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/xml"));
        long firstTime =
                java.time.Instant.parse(first.get("createdAt").asString()).getEpochSecond();
        long secondTime =
                java.time.Instant.parse(second.get("createdAt").asString()).getEpochSecond();
        assertThat(xml.body())
                .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><i><chatserver>barrage</chatserver>"
                        + "<chatid>52</chatid><maxlimit>5000</maxlimit>"
                        + "<d p=\"1.500,5,18,255," + firstTime + ",0," + crc("1500") + ","
                        + first.get("id").asString()
                        + "\">&lt;b&gt;&amp;&quot;&apos;&lt;/b&gt;</d>"
                        + "<d p=\"61.000,4,36,16777215," + secondTime + ",0," + crc("1501") + ","
                        + second.get("id").asString() + "\">plain</d></i>");
        // It parses as XML and the text round-trips.
        var document = javax.xml.parsers.DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(xml.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(document.getElementsByTagName("d").item(0).getTextContent()).isEqualTo("<b>&\"'</b>");
        assertThat(get("/api/v1/videos/53/danmaku.xml").body()).endsWith("<maxlimit>5000</maxlimit></i>");
    }

    private static String crc(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }
}
