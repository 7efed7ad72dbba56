package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The README's story, played on the local stack (real Kafka, Redis, MariaDB, S3 store, six service
 * JVMs) through the gateway only, as a newcomer would: register, log in, upload, watch in two tabs,
 * send a danmaku that reaches both, find it in history, seek with Range.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoryTest {

    private static final Duration FRAME_WAIT = Duration.ofSeconds(20);

    private static Client client;
    private static String aliceToken;
    private static String bobToken;
    private static long videoId;
    private static byte[] video;

    @BeforeAll
    static void startTheStack() throws Exception {
        client = new Client(E2eStack.gatewayUrl());
    }

    @Test
    @Order(1)
    void registerAndLogIn() {
        aliceToken = registerAndLogin("alice_" + System.nanoTime() % 100000);
        bobToken = registerAndLogin("bob_" + System.nanoTime() % 100000);

        Client.Response me = client.get("/api/v1/users/me", aliceToken);
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().path("username").asString()).startsWith("alice_");
        assertThat(me.header("X-Request-Id")).isNotBlank();
    }

    @Test
    @Order(2)
    void aClientCannotClaimAnIdentity() {
        long aliceId =
                client.get("/api/v1/users/me", aliceToken).json().path("id").asLong();

        Client.Response forged = client.get("/api/v1/users/me", null, "X-User-Id", Long.toString(aliceId));

        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    @Order(3)
    void uploadAShortMp4() throws java.io.IOException {
        // a real clip (12 s, 320×180 H.264): the ladder is made by decoding it
        try (var in = StoryTest.class.getResourceAsStream("/testcard.mp4")) {
            video = in.readAllBytes();
        }

        Client.Response created = client.upload(
                aliceToken, "clip.mp4", "video/mp4", video, Map.of("title", "My first clip", "description", "hi"));

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        videoId = created.json().path("id").asLong();
        // PROCESSING until a transcode worker has published the first rung of the ladder
        await().atMost(Duration.ofSeconds(120))
                .until(() -> "READY"
                        .equals(client.get("/api/v1/videos/" + videoId, aliceToken)
                                .json()
                                .path("status")
                                .asString()));
        JsonNode body = client.get("/api/v1/videos/" + videoId, null).json();
        assertThat(body.path("durationMs").asLong()).isBetween(11_500L, 12_500L);
        assertThat(body.path("status").asString()).isEqualTo("READY");
        assertThat(body.path("streamUrl").asString()).isEqualTo("/api/v1/videos/" + videoId + "/hls/master.m3u8");
        JsonNode list = client.get("/api/v1/videos?page=0&size=20", null).json();
        assertThat(list.path("items").valueStream().map(v -> v.path("id").asLong()))
                .contains(videoId);
    }

    @Test
    @Order(4)
    void seekingFetchesExactlyTheRequestedBytes() {
        Client.Response range = client.get("/api/v1/videos/" + videoId + "/stream", null, "Range", "bytes=1000-4999");

        assertThat(range.status()).isEqualTo(206);
        assertThat(range.header("Content-Range")).isEqualTo("bytes 1000-4999/" + video.length);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(video, 1000, 5000));

        Client.Response whole = client.get("/api/v1/videos/" + videoId + "/stream", null);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(video);

        Client.Response beyond =
                client.get("/api/v1/videos/" + videoId + "/stream", null, "Range", "bytes=" + video.length + "-");
        assertThat(beyond.status()).isEqualTo(416);
    }

    @Test
    @Order(5)
    void aDanmakuFliesToEveryViewerAndStaysInHistory() throws Exception {
        Client.Viewer aliceTab = client.watch(videoId, aliceToken);
        Client.Viewer anonymousTab = client.watch(videoId, null);
        try {
            assertThat(aliceTab.next("online", FRAME_WAIT)).isNotNull();
            assertThat(anonymousTab.next("online", FRAME_WAIT)).isNotNull();

            Client.Response sent = client.postJson(
                    "/api/v1/videos/" + videoId + "/danmaku",
                    bobToken,
                    "{\"text\":\"  hello 弹幕 \",\"playbackMs\":1500,\"mode\":\"SCROLL\",\"color\":16711680}");
            assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
            String id = sent.json().path("id").asString();
            long seq = sent.json().path("seq").asLong();
            assertThat(sent.json().path("text").asString()).isEqualTo("hello 弹幕");

            for (Client.Viewer tab : new Client.Viewer[] {aliceTab, anonymousTab}) {
                JsonNode frame = tab.next("danmaku", FRAME_WAIT);
                assertThat(frame).as("a danmaku frame").isNotNull();
                JsonNode item = frame.path("items").get(0);
                assertThat(item.path("id").asString()).isEqualTo(id);
                assertThat(item.path("seq").asLong()).isEqualTo(seq);
                assertThat(item.path("text").asString()).isEqualTo("hello 弹幕");
                assertThat(item.path("playbackMs").asLong()).isEqualTo(1500);
            }

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode history = client.get("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=10000", null)
                        .json();
                assertThat(history.path("items")
                                .valueStream()
                                .filter(d -> d.path("id").asString().equals(id))
                                .map(d -> d.path("seq").asLong() + ":"
                                        + d.path("text").asString() + "@"
                                        + d.path("playbackMs").asLong()))
                        .containsExactly(seq + ":hello 弹幕@1500");
            });
            assertThat(client.get("/api/v1/videos/" + videoId + "/online", null)
                            .json()
                            .path("count")
                            .asInt())
                    .isEqualTo(2);
        } finally {
            aliceTab.close();
            anonymousTab.close();
        }
    }

    @Test
    @Order(6)
    void badInputGetsAClearProblemAndNothingHalfWritten() {
        String danmaku = "/api/v1/videos/" + videoId + "/danmaku";
        assertProblem(client.postJson(danmaku, bobToken, "{\"text\": \"unterminated"), 400, "malformed-json");
        assertProblem(client.postJson(danmaku, bobToken, "{\"text\":\"   \",\"playbackMs\":1}"), 400, "text-empty");
        assertProblem(
                client.postJson(danmaku, bobToken, "{\"text\":\"" + "长".repeat(101) + "\",\"playbackMs\":1}"),
                400,
                "text-too-long");
        assertProblem(client.postJson(danmaku, null, "{\"text\":\"hi\",\"playbackMs\":1}"), 401, "unauthenticated");
        assertProblem(
                client.postJson("/api/v1/videos/987654321/danmaku", bobToken, "{\"text\":\"hi\",\"playbackMs\":1}"),
                404,
                "video-not-found");
        assertProblem(client.get("/api/v1/videos/987654321", null), 404, "video-not-found");

        long listed = client.get("/api/v1/videos?page=0&size=100", null)
                .json()
                .path("total")
                .asLong();
        assertProblem(
                client.upload(
                        aliceToken,
                        "notes.mp4",
                        "video/mp4",
                        "just text".repeat(100).getBytes(),
                        Map.of("title", "x")),
                415,
                "unsupported-media-type");
        assertProblem(
                client.upload(
                        aliceToken,
                        "big.mp4",
                        "video/mp4",
                        Mp4.of(1000, 16, 16, 3 * 1024 * 1024),
                        Map.of("title", "x")),
                413,
                "payload-too-large");
        assertThat(client.get("/api/v1/videos?page=0&size=100", null)
                        .json()
                        .path("total")
                        .asLong())
                .isEqualTo(listed);
    }

    @Test
    @Order(7)
    void internalAndActuatorPathsAreNotReachableThroughTheGateway() {
        assertThat(client.get("/internal/v1/users/1", null).status()).isEqualTo(404);
        assertThat(client.get("/actuator/health", null).status()).isEqualTo(404);
        assertThat(client.get("/actuator/prometheus", null).status()).isEqualTo(404);
    }

    @Test
    @Order(8)
    void theWebPageIsServed() {
        Client.Response page = client.get("/", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("Barrage");
    }

    private static String registerAndLogin(String username) {
        Client.Response registered = client.postJson(
                "/api/v1/users",
                null,
                "{\"username\":\"" + username + "\",\"password\":\"correct horse battery\",\"displayName\":\""
                        + username + "\"}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        Client.Response login = client.postJson(
                "/api/v1/sessions", null, "{\"username\":\"" + username + "\",\"password\":\"correct horse battery\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(201);
        assertThat(login.header("Set-Cookie")).contains("BARRAGE_SESSION=").contains("HttpOnly");
        return login.json().path("token").asString();
    }

    private static void assertProblem(Client.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().path("code").asString()).isEqualTo(code);
        assertThat(response.text()).doesNotContainIgnoringCase("exception").doesNotContainIgnoringCase("sql");
    }
}
