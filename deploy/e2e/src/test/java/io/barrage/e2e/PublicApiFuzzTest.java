package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The standing fuzz test of the public API: hostile JSON, numbers, strings, headers, ids,
 * uploads and WebSocket handshakes against every public endpoint, through the gateway and, with a
 * trusted identity, straight on the services' ports (past the gateway's rate limits, so the services'
 * own validation is reached). Every answer must be below 500, a 4xx must carry a problem body, no request
 * may hang, and afterwards nothing half-written may be found: history holds only valid danmaku, the XML
 * export is well-formed, every accepted upload ends READY or FAILED, and the test's session still works.
 *
 * <p>The cases come from one seeded generator ({@link Hostile}), so CI tries the same cases every run and
 * a failure names the seed and case to replay. {@code -Dbarrage.fuzz.seed=N} explores other cases and
 * {@code -Dbarrage.fuzz.cases=N} sets how many each test tries.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PublicApiFuzzTest {

    private static final long SEED = Long.getLong("barrage.fuzz.seed", 20261202L);
    private static final int CASES = Integer.getInteger("barrage.fuzz.cases", 800);
    /** A functional bound: the unbounded history loop left a read unanswered for over 20 s. */
    private static final int NO_ANSWER_MILLIS = 20_000;

    private static LocalStack stack;
    private static Client client;
    private static String token;
    private static long userId;
    private static long videoId;
    private static long durationMs;
    private static String danmakuId;
    private static String uploadId;
    /** The test's own session: a revocation of it is a correct answer, not a finding, so it is never named. */
    private static String sessionId;

    private static final List<Long> acceptedUploads = new ArrayList<>();
    private static int casesTried;
    /** Revocations the fuzz made (a DELETE of a session that answered 204): one may be the test's own. */
    private static int sessionsRevoked;

    /** One public endpoint: where its ids go, which query parameters and JSON fields it reads, who serves it. */
    private record Endpoint(
            String method, String path, List<String> query, List<String> fields, Service service, boolean destructive) {

        static Endpoint of(String method, String path, Service service, String... fields) {
            return new Endpoint(method, path, List.of(), List.of(fields), service, false);
        }

        Endpoint query(String... params) {
            return new Endpoint(method, path, List.of(params), fields, service, destructive);
        }

        /** Its ids never name the test's own video or session, so the fixture survives. */
        Endpoint sparingTheFixture() {
            return new Endpoint(method, path, query, fields, service, true);
        }
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            Endpoint.of("POST", "/api/v1/users", Service.USER, "username", "password", "displayName"),
            Endpoint.of("GET", "/api/v1/users/me", Service.USER),
            Endpoint.of("PATCH", "/api/v1/users/me", Service.USER, "displayName", "avatarUrl"),
            Endpoint.of("PUT", "/api/v1/users/me/password", Service.USER, "currentPassword", "newPassword"),
            Endpoint.of("GET", "/api/v1/users/{id}", Service.USER),
            Endpoint.of("POST", "/api/v1/sessions", Service.USER, "username", "password"),
            Endpoint.of("GET", "/api/v1/sessions", Service.USER),
            Endpoint.of("DELETE", "/api/v1/sessions/{id}", Service.USER).sparingTheFixture(),
            Endpoint.of("GET", "/api/v1/videos", Service.VIDEO).query("page", "size", "sort", "q"),
            Endpoint.of("GET", "/api/v1/videos/hot", Service.VIDEO).query("limit"),
            Endpoint.of("GET", "/api/v1/videos/{video}", Service.VIDEO),
            Endpoint.of("PATCH", "/api/v1/videos/{video}", Service.VIDEO, "title", "description"),
            Endpoint.of("DELETE", "/api/v1/videos/{video}", Service.VIDEO).sparingTheFixture(),
            Endpoint.of("POST", "/api/v1/videos/{video}/restore", Service.VIDEO),
            Endpoint.of("POST", "/api/v1/videos/{video}/views", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/videos/{video}/stream", Service.VIDEO),
            Endpoint.of("HEAD", "/api/v1/videos/{video}/stream", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/videos/{video}/thumbnail", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/videos/{video}/hls/master.m3u8", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/videos/{video}/hls/{rung}/index.m3u8", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/videos/{video}/storyboard/thumbnails.vtt", Service.VIDEO),
            Endpoint.of("OPTIONS", "/api/v1/uploads", Service.VIDEO),
            Endpoint.of("POST", "/api/v1/uploads", Service.VIDEO),
            Endpoint.of("HEAD", "/api/v1/uploads/{upload}", Service.VIDEO),
            Endpoint.of("GET", "/api/v1/uploads/{upload}", Service.VIDEO),
            Endpoint.of("PATCH", "/api/v1/uploads/{upload}", Service.VIDEO),
            Endpoint.of("DELETE", "/api/v1/uploads/{upload}", Service.VIDEO).sparingTheFixture(),
            Endpoint.of("POST", "/api/v1/videos", Service.VIDEO),
            Endpoint.of(
                    "POST",
                    "/api/v1/videos/{video}/danmaku",
                    Service.DANMAKU,
                    "text",
                    "playbackMs",
                    "mode",
                    "color",
                    "size"),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku", Service.DANMAKU)
                    .query("fromMs", "toMs", "limit", "segment"),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku.xml", Service.DANMAKU)
                    .query("limit"),
            Endpoint.of("DELETE", "/api/v1/danmaku/{danmaku}", Service.DANMAKU),
            Endpoint.of("GET", "/dplayer/v3/", Service.DANMAKU).query("id", "max", "limit"),
            Endpoint.of(
                    "POST", "/dplayer/v3/", Service.DANMAKU, "token", "id", "author", "time", "text", "color", "type"),
            Endpoint.of("GET", "/api/v1/videos/{video}/online", Service.PUSH),
            // viewer settings and acting on a danmaku
            Endpoint.of("GET", "/api/v1/users/me/danmaku-settings", Service.USER),
            Endpoint.of(
                    "PUT",
                    "/api/v1/users/me/danmaku-settings",
                    Service.USER,
                    "version",
                    "rules",
                    "hiddenModes",
                    "hideColored",
                    "displayArea",
                    "speed",
                    "opacity"),
            Endpoint.of("POST", "/api/v1/users/me/danmaku-settings/import", Service.USER, "rule", "type", "filter"),
            Endpoint.of("GET", "/api/v1/users/me/danmaku-settings/export", Service.USER),
            Endpoint.of("PUT", "/api/v1/videos/{video}/danmaku/{danmaku}/like", Service.DANMAKU),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku/likes", Service.DANMAKU),
            Endpoint.of("POST", "/api/v1/danmaku/{danmaku}/reports", Service.DANMAKU, "reason"),
            Endpoint.of("POST", "/api/v1/danmaku/{danmaku}/recall", Service.DANMAKU),
            Endpoint.of("PUT", "/api/v1/danmaku/{danmaku}/protection", Service.DANMAKU),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku/state", Service.DANMAKU),
            Endpoint.of("PUT", "/api/v1/videos/{video}/danmaku/state", Service.DANMAKU, "closed")
                    .sparingTheFixture(),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku/density", Service.DANMAKU),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku/moments", Service.DANMAKU),
            Endpoint.of("GET", "/api/v1/videos/{video}/danmaku/moments.vtt", Service.DANMAKU));

    @BeforeAll
    static void aUserAVideoADanmakuAndAnOpenUpload() throws Exception {
        stack = E2eStack.get();
        client = new Client(E2eStack.gatewayUrl());
        String username = "fuzz_" + System.nanoTime() % 1_000_000;
        String password = "fuzz-" + UUID.randomUUID();
        assertThat(client.postJson(
                                "/api/v1/users",
                                null,
                                "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}")
                        .status())
                .isEqualTo(201);
        Client.Response login = client.postJson(
                "/api/v1/sessions", null, "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
        token = login.json().path("token").asString();
        userId = login.json().path("user").path("id").asLong();
        for (JsonNode session : client.get("/api/v1/sessions", token).json().path("items")) {
            if (session.path("current").asBoolean()) {
                sessionId = session.path("id").asString();
            }
        }

        Client.Response upload = client.upload(
                token, "fuzz.mp4", "video/mp4", realMp4(), Map.of("title", "Fuzz target", "description", "hostile"));
        assertThat(upload.status()).as(upload.toString()).isBetween(200, 202);
        videoId = upload.json().path("id").asLong();
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(client.get("/api/v1/videos/" + videoId, token)
                                .json()
                                .path("status")
                                .asString())
                        .isEqualTo("READY"));
        durationMs = client.get("/api/v1/videos/" + videoId, token)
                .json()
                .path("durationMs")
                .asLong();

        Client.Response sent = client.postJson(
                "/api/v1/videos/" + videoId + "/danmaku", token, "{\"text\":\"fuzz target\",\"playbackMs\":1000}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(201);
        danmakuId = sent.json().path("id").asString();

        Client.Response tus = client.send(
                "POST",
                "/api/v1/uploads",
                token,
                null,
                null,
                "Tus-Resumable",
                "1.0.0",
                "Upload-Length",
                "100000",
                "Upload-Metadata",
                "title " + Base64.getEncoder().encodeToString("open upload".getBytes(StandardCharsets.UTF_8)));
        assertThat(tus.status()).as(tus.toString()).isEqualTo(201);
        String location = tus.header("Location");
        uploadId = location.substring(location.lastIndexOf('/') + 1);
    }

    @Test
    @Order(1)
    void hostileRequestsThroughTheGatewayGetAProblemNeverA5xx() throws Exception {
        RawHttp gateway = new RawHttp(stack.options().portBase(), NO_ANSWER_MILLIS + 10_000);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        Hostile hostile = new Hostile(SEED, videoId, danmakuId);
        for (int i = 0; i < CASES; i++) {
            Endpoint endpoint = hostile.pick(ENDPOINTS);
            Request request = request(hostile, endpoint, false);
            check("gateway#" + i, endpoint, request, gateway, failures, statuses);
        }
        report("through the gateway", CASES, statuses, failures);
    }

    @Test
    @Order(2)
    void hostileRequestsWithATrustedIdentityOnTheServicePortsGetAProblemNeverA5xx() throws Exception {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        Hostile hostile = new Hostile(SEED + 1, videoId, danmakuId);
        for (int i = 0; i < CASES; i++) {
            Endpoint endpoint = hostile.pick(ENDPOINTS);
            Request request = request(hostile, endpoint, true);
            RawHttp service = new RawHttp(stack.options().port(endpoint.service()), NO_ANSWER_MILLIS + 10_000);
            check("service#" + i, endpoint, request, service, failures, statuses, false);
        }
        report("on the service ports", CASES, statuses, failures);
    }

    @Test
    @Order(3)
    void hostileWebSocketHandshakesGetAProblemNeverA5xx() throws Exception {
        RawHttp gateway = new RawHttp(stack.options().portBase(), NO_ANSWER_MILLIS + 10_000);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new TreeMap<>();
        Hostile hostile = new Hostile(SEED + 2, videoId, danmakuId);
        Endpoint room = Endpoint.of("GET", "/ws/v1/videos/{video}", Service.PUSH);
        for (int i = 0; i < CASES / 4; i++) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            if (hostile.chance(90)) {
                headers.add(Map.entry("Upgrade", hostile.pick(List.of("websocket", "WebSocket", "h2c", "garbage"))));
            }
            if (hostile.chance(90)) {
                headers.add(Map.entry("Connection", hostile.pick(List.of("Upgrade", "keep-alive, Upgrade", "close"))));
            }
            if (hostile.chance(85)) {
                headers.add(Map.entry(
                        "Sec-WebSocket-Key",
                        hostile.pick(List.of("dGhlIHNhbXBsZSBub25jZQ==", "", "garbage", "x".repeat(300)))));
            }
            if (hostile.chance(85)) {
                headers.add(Map.entry("Sec-WebSocket-Version", hostile.pick(List.of("13", "8", "garbage", "13, 8"))));
            }
            if (hostile.chance(50)) {
                headers.add(Map.entry("Origin", hostile.pick(Hostile.ORIGINS)));
            }
            if (hostile.chance(30)) {
                headers.add(Map.entry("Cookie", "BARRAGE_SESSION=" + token));
            }
            headers.addAll(hostile.headers());
            String path = "/ws/v1/videos/" + (hostile.chance(10) ? "" : hostile.videoId())
                    + hostile.oneOf(
                            () -> "",
                            () -> "?since=" + hostile.queryValue(),
                            () -> "?since=" + hostile.pick(Hostile.NUMBERS),
                            () -> "/extra",
                            () -> "?since=1&since=2");
            check("ws#" + i, room, new Request("GET", path, headers, null), gateway, failures, statuses);
        }
        report("WebSocket handshakes", CASES / 4, statuses, failures);
    }

    @Test
    @Order(4)
    void afterwardsNothingIsHalfWritten() throws Exception {
        Client.Response me = client.get("/api/v1/users/me", token);
        if (sessionsRevoked == 0) {
            assertThat(me.status())
                    .as("the test's session survived the fuzz: %s", me)
                    .isEqualTo(200);
        }

        Client.Response history =
                client.get("/api/v1/videos/" + videoId + "/danmaku?fromMs=0&toMs=" + durationMs + "&limit=5000", null);
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        for (JsonNode item : history.json().path("items")) {
            String text = item.path("text").asString();
            assertThat(validDanmakuText(text))
                    .as("stored danmaku text %s", item)
                    .isTrue();
            assertThat(item.path("playbackMs").asLong()).as(item.toString()).isBetween(0L, durationMs);
        }

        Client.Response xml = client.get("/api/v1/videos/" + videoId + "/danmaku.xml", null);
        assertThat(xml.status()).isEqualTo(200);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.body()));

        for (long accepted : acceptedUploads) {
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        Client.Response video = client.get("/api/v1/videos/" + accepted, token);
                        assertThat(video.status() == 404
                                        || List.of("READY", "FAILED")
                                                .contains(video.json()
                                                        .path("status")
                                                        .asString()))
                                .as("accepted upload %d ends READY or FAILED: %s", accepted, video)
                                .isTrue();
                    });
        }
        System.out.printf(
                "fuzz: %d cases in all (seed %d), %d uploads accepted and settled, %d sessions revoked%n",
                casesTried, SEED, acceptedUploads.size(), sessionsRevoked);
    }

    private record Request(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {}

    /**
     * A hostile id for an endpoint that must spare the fixture: "0" instead of any id a lenient parser could
     * read as the fixture's ("1", "+1", "1 ", Arabic-Indic "١"), since the fixture video is often id 1.
     */
    private static String sparing(String id, long fixture) {
        try {
            String decoded = java.net.URLDecoder.decode(id.replace("+", "%2B"), StandardCharsets.UTF_8)
                    .strip();
            if (decoded.startsWith("+")) {
                decoded = decoded.substring(1);
            }
            return Long.parseLong(decoded) == fixture ? "0" : id;
        } catch (IllegalArgumentException e) {
            return id; // not a number however it is read
        }
    }

    private static Request request(Hostile hostile, Endpoint endpoint, boolean trusted) {
        String id = endpoint.destructive() ? hostile.id() : hostile.chance(40) ? Long.toString(userId) : hostile.id();
        if (endpoint.path().startsWith("/api/v1/sessions/") && id.equals(sessionId)) {
            id = "0";
        }
        String path = endpoint.path()
                .replace("{video}", endpoint.destructive() ? sparing(hostile.id(), videoId) : hostile.videoId())
                .replace("{danmaku}", hostile.danmakuId())
                .replace("{upload}", hostile.chance(50) ? uploadId : hostile.id())
                .replace(
                        "{rung}",
                        hostile.pick(List.of("240p", "360p", "1080p", "..", "%2e%2e", "x".repeat(300), "%00")))
                .replace("{id}", id);
        String query = endpoint.path().equals("/dplayer/v3/") && hostile.chance(50)
                ? "?id=" + (hostile.chance(70) ? videoId : hostile.queryValue()) + "&max=" + hostile.queryValue()
                : hostile.query(endpoint.query());
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (trusted) {
            headers.add(Map.entry("X-Service-Token", stack.infra().serviceToken()));
            headers.add(Map.entry(
                    "X-User-Id",
                    hostile.chance(50) ? Long.toString(userId) : Integer.toString(hostile.between(1, 5000))));
            headers.add(Map.entry("X-User-Name", "fuzz"));
            headers.add(Map.entry("X-Client-Ip", "10.0." + hostile.between(0, 255) + "." + hostile.between(0, 255)));
        } else {
            int auth = hostile.between(0, 9);
            if (auth < 4) {
                headers.add(Map.entry("Authorization", "Bearer " + token));
            } else if (auth < 6) {
                headers.add(Map.entry("Cookie", "BARRAGE_SESSION=" + token));
                headers.add(Map.entry("X-Barrage-Csrf", "1"));
            }
        }
        byte[] body = null;
        if (endpoint.path().equals("/api/v1/videos") && endpoint.method().equals("POST")) {
            String boundary = "fuzz" + hostile.between(0, 1_000_000);
            headers.add(Map.entry("Content-Type", "multipart/form-data; boundary=" + boundary));
            body = multipart(hostile, boundary);
        } else if (endpoint.path().startsWith("/api/v1/uploads")) {
            headers.add(Map.entry("Tus-Resumable", hostile.pick(List.of("1.0.0", "1.0.0", "0.2.2", ""))));
            if (endpoint.method().equals("POST")) {
                headers.add(Map.entry(
                        "Upload-Length",
                        hostile.pick(List.of(
                                "1000", "-1", "0", "99999999999999999999", "abc", "9223372036854775807", "1e3"))));
                if (hostile.chance(80)) {
                    headers.add(Map.entry(
                            "Upload-Metadata",
                            hostile.pick(List.of(
                                    "title "
                                            + Base64.getEncoder()
                                                    .encodeToString(
                                                            hostile.string().getBytes(StandardCharsets.UTF_8)),
                                    "title !!!notbase64",
                                    "title",
                                    ",,,",
                                    "title dGl0bGU=,title dGl0bGU="))));
                }
            } else if (endpoint.method().equals("PATCH")) {
                headers.add(Map.entry(
                        "Content-Type",
                        hostile.chance(80) ? "application/offset+octet-stream" : hostile.contentType()));
                headers.add(Map.entry(
                        "Upload-Offset", hostile.pick(List.of("0", "0", "-1", "5", "abc", "99999999999999999999"))));
                body = hostile.mediaBytes();
            }
        } else if (!endpoint.fields().isEmpty()) {
            headers.add(Map.entry("Content-Type", hostile.chance(85) ? "application/json" : hostile.contentType()));
            body = hostile.jsonBody(endpoint.fields(), plausible(hostile));
        } else if (hostile.chance(5)
                && !endpoint.method().equals("GET")
                && !endpoint.method().equals("HEAD")) {
            body = hostile.randomBytes(hostile.between(1, 500));
        }
        headers.addAll(hostile.headers());
        return new Request(endpoint.method(), path + query, headers, body);
    }

    /** Values a real client would send, so that half the fields pass and the hostile one is reached. */
    private static Map<String, Supplier<String>> plausible(Hostile hostile) {
        return Map.of(
                "text", () -> hostile.jsonString("hello " + hostile.between(0, 1000)),
                "playbackMs", () -> Long.toString(hostile.between(0, (int) Math.min(durationMs, Integer.MAX_VALUE))),
                "time", () -> Integer.toString(hostile.between(0, 2)),
                "id", () -> hostile.jsonString(Long.toString(videoId)),
                "token", () -> hostile.jsonString(token),
                "mode", () -> hostile.jsonString(hostile.pick(List.of("SCROLL", "TOP", "BOTTOM"))),
                "type", () -> Integer.toString(hostile.between(0, 2)),
                "color", () -> Integer.toString(hostile.between(0, 0xFFFFFF)),
                "title", () -> hostile.jsonString("a title"),
                "username", () -> hostile.jsonString("fz" + hostile.between(0, 10_000_000)));
    }

    private static byte[] multipart(Hostile hostile, String boundary) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String field : List.of("title", "description")) {
            if (hostile.chance(80)) {
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                body.writeBytes((hostile.chance(50) ? "a title" : hostile.string()).getBytes(StandardCharsets.UTF_8));
                body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
        }
        if (hostile.chance(90)) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                            + hostile.pick(List.of("a.mp4", "../../x.mp4", "", "a\u202e4pm.exe"))
                            + "\"\r\nContent-Type: "
                            + hostile.pick(List.of("video/mp4", "text/html", "")) + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(hostile.mediaBytes());
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        if (hostile.chance(90)) {
            body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        }
        return body.toByteArray();
    }

    private static void check(
            String name,
            Endpoint endpoint,
            Request request,
            RawHttp http,
            List<String> failures,
            Map<String, Integer> statuses) {
        check(name, endpoint, request, http, failures, statuses, true);
    }

    /**
     * @param problemBodiesRequired whether a 4xx must carry a problem body: through the gateway, yes; on a
     *     service's own port Tomcat still answers a request it cannot parse (a path with {@code %FF}) with an
     *     HTML page before Spring sees it, which only the gateway's clients would notice if the gateway let
     *     such a path through, and it does not (PublicPortGuard)
     */
    private static void check(
            String name,
            Endpoint endpoint,
            Request request,
            RawHttp http,
            List<String> failures,
            Map<String, Integer> statuses,
            boolean problemBodiesRequired) {
        casesTried++;
        RawHttp.Reply reply;
        try {
            reply = http.send(request.method(), request.target(), request.headers(), request.body());
        } catch (IOException e) {
            if (overCodecLimits(request)) {
                // the codec refused the head and reset the connection while the body was still being sent
                statuses.merge(
                        endpoint.method() + " " + endpoint.path() + " reset (head over the limit)", 1, Integer::sum);
            } else {
                failures.add(describe(name, request, "no answer: " + e));
            }
            return;
        }
        statuses.merge(endpoint.method() + " " + endpoint.path() + " " + reply.status(), 1, Integer::sum);
        if (reply.status() == 0 && !overCodecLimits(request)) {
            failures.add(describe(name, request, "closed without an answer"));
        } else if (reply.status() >= 500) {
            failures.add(describe(name, request, reply.status() + " " + abbreviate(reply.text())));
        } else if (reply.millis() > NO_ANSWER_MILLIS) {
            failures.add(describe(name, request, "answered only after " + reply.millis() + " ms"));
        } else if (reply.status() >= 400
                && !request.method().equals("HEAD")
                && problemBodiesRequired
                && !codecRefusal(reply)) {
            String type = String.valueOf(reply.header("Content-Type"));
            boolean dplayer = request.target().startsWith("/dplayer/");
            boolean problem =
                    type.startsWith("application/problem+json") && reply.text().contains("\"code\"");
            boolean dplayerError = dplayer
                    && type.startsWith("application/json")
                    && reply.text().contains("\"code\"");
            if (!problem && !dplayerError) {
                failures.add(describe(
                        name,
                        request,
                        reply.status() + " without a problem body (" + type + "): " + abbreviate(reply.text())));
            }
        } else if (reply.status() == 201
                && request.method().equals("POST")
                && request.target().startsWith("/api/v1/videos")
                && !request.target().contains("/danmaku")
                && !request.target().contains("/views")) {
            JsonNode created = Client.JSON.readTree(reply.body());
            if (created.has("id")) {
                acceptedUploads.add(created.path("id").asLong());
            }
        }
        if (reply.status() == 204
                && request.method().equals("DELETE")
                && request.target().startsWith("/api/v1/sessions/")) {
            sessionsRevoked++;
        }
        if (reply.status() == 101) {
            statuses.merge("(upgraded)", 1, Integer::sum);
        }
    }

    /**
     * A refusal by the HTTP codec itself, before any application code: a request line over the limit
     * (414), headers over the limit (431) or a request Netty cannot parse (400), answered with no body at
     * all. Reactor Netty writes these; they are counted in the statuses but not held to the problem rule.
     */
    /**
     * A request the gateway refuses without reading it all, and may reset while it is still being sent: a
     * request line over Reactor Netty's 4 KB, headers over its 8 KB, or a body over the 64 KB JSON limit
     * (413 at once). A reset then is the refusal, not a failure to answer.
     */
    private static boolean overCodecLimits(Request request) {
        int headers = request.headers().stream()
                .mapToInt(h -> h.getKey().length() + h.getValue().length() + 4)
                .sum();
        return request.target().length() + request.method().length() + 10 > 4096
                || headers > 8192
                || (request.body() != null && request.body().length > 64 * 1024);
    }

    private static boolean codecRefusal(RawHttp.Reply reply) {
        return (reply.status() == 414 || reply.status() == 431 || reply.status() == 400)
                && reply.header("Content-Type") == null
                && reply.body().length == 0;
    }

    private static void report(String where, int cases, Map<String, Integer> statuses, List<String> failures) {
        System.out.printf("fuzz %s: seed %d, %d cases; statuses %s%n", where, SEED, cases, statuses);
        assertThat(failures)
                .as(
                        "hostile requests %s that got a 5xx, no answer, or a 4xx without a problem body "
                                + "(replay with -Dbarrage.fuzz.seed=%d)",
                        where, SEED)
                .isEmpty();
    }

    private static String describe(String name, Request request, String what) {
        StringBuilder headers = new StringBuilder();
        request.headers()
                .forEach(h -> headers.append(h.getKey())
                        .append(": ")
                        .append(abbreviate(h.getValue()))
                        .append("; "));
        String body = request.body() == null ? "" : abbreviate(new String(request.body(), StandardCharsets.UTF_8));
        return name + " " + request.method() + " " + abbreviate(request.target()) + " [" + headers + "] " + body
                + " -> " + what;
    }

    private static String abbreviate(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "…(" + text.length() + ")";
    }

    /** The rule for stored text (docs/api.md, "Text"): 1–100 code points, no control character, surrogate or non-character. */
    static boolean validDanmakuText(String text) {
        int count = text.codePointCount(0, text.length());
        if (count < 1 || count > 100) {
            return false;
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Character.isISOControl(cp)
                    || Character.getType(cp) == Character.SURROGATE
                    || (cp >= 0xFDD0 && cp <= 0xFDEF)
                    || (cp & 0xFFFE) == 0xFFFE) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** A real H.264/AAC MP4 (3 s, 320×240), made by ffmpeg: the pipeline refuses media it cannot decode. */
    private static byte[] realMp4() throws Exception {
        Path file = Files.createTempFile("fuzz-", ".mp4");
        try {
            Process ffmpeg = new ProcessBuilder(
                            "ffmpeg",
                            "-y",
                            "-loglevel",
                            "error",
                            "-f",
                            "lavfi",
                            "-i",
                            "testsrc=size=320x240:rate=10",
                            "-f",
                            "lavfi",
                            "-i",
                            "sine=frequency=440:sample_rate=44100",
                            "-t",
                            "3",
                            "-c:v",
                            "libx264",
                            "-preset",
                            "ultrafast",
                            "-pix_fmt",
                            "yuv420p",
                            "-c:a",
                            "aac",
                            "-shortest",
                            "-movflags",
                            "+faststart",
                            file.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            assertThat(ffmpeg.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ffmpeg.exitValue()).isZero();
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
