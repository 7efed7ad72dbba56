package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a hostile or careless client meets at the edge: the browser security headers on every answer,
 * origins the URL parser chokes on, a {@code Connection} header naming the gateway's own headers, and a
 * body trickled with long pauses. Every service is a stand-in that accepts any session token as user 1
 * and echoes the path and headers it received.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EdgeHardeningTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SERVICE_TOKEN = TestInfra.get().serviceToken();
    private static final String MEDIA_ORIGIN = "https://media.example:9000";
    private static final DisposableServer backend = startBackend();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.GATEWAY).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("management.server.port", () -> "0");
        registry.add("barrage.gateway.cors.allowed-origins[0]", () -> "https://app.example");
        registry.add("barrage.gateway.csp.media-origins[0]", () -> MEDIA_ORIGIN);
        // short, so a test can outwait it; the default is 20 s
        registry.add("barrage.gateway.request-read-timeout", () -> "2s");
        registry.add("barrage.gateway.json-body-read-time", () -> "4s");
        // as in a pod: Spring Boot then believes forwarded headers unless told not to
        registry.add("spring.main.cloud-platform", () -> "kubernetes");
        // a cold gateway on a busy machine: the identity must not depend on a 2 s session check
        registry.add("barrage.gateway.introspect-timeout", () -> "15s");
        for (String service : new String[] {"user-service", "video-service", "danmaku-service", "push-service"}) {
            registry.add(
                    "spring.cloud.discovery.client.simple.instances." + service + "[0].uri",
                    () -> "http://127.0.0.1:" + backend.port());
        }
    }

    @AfterAll
    static void stopBackend() {
        backend.disposeNow();
    }

    @LocalServerPort
    int port;

    private final HttpClient http = TestHttp.client();

    @Test
    void everyAnswerCarriesTheBrowserSecurityHeaders() throws Exception {
        List<HttpResponse<String>> answers = List.of(
                send("GET", "/"),
                send("GET", "/watch.html"),
                send("GET", "/assets/watch.js"),
                // proxied from a service
                send("GET", "/api/v1/videos/1"),
                // the gateway's own problems
                send("GET", "/internal/v1/users/1"),
                send("GET", "/api/v1/videos/1", "Origin", "https://evil.example"));
        assertThat(answers.stream().map(HttpResponse::statusCode)).containsExactly(200, 200, 200, 200, 404, 403);
        for (var answer : answers) {
            String what = answer.request().uri().getPath() + " → " + answer.statusCode();
            assertThat(answer.headers().allValues("X-Content-Type-Options"))
                    .as(what)
                    .containsExactly("nosniff");
            assertThat(answer.headers().allValues("X-Frame-Options")).as(what).containsExactly("DENY");
            assertThat(answer.headers().allValues("Referrer-Policy"))
                    .as(what)
                    .containsExactly("strict-origin-when-cross-origin");
            List<String> csp = answer.headers().allValues("Content-Security-Policy");
            assertThat(csp).as(what).hasSize(1);
            assertThat(directives(csp.getFirst()))
                    .as(what)
                    .containsEntry("default-src", "'self'")
                    .containsEntry("script-src", "'self'")
                    .containsEntry("style-src", "'self'")
                    .containsEntry("frame-ancestors", "'none'")
                    .containsEntry("object-src", "'none'")
                    .containsEntry("img-src", "'self' data: blob:")
                    .containsEntry("worker-src", "'self' blob:")
                    .containsEntry("media-src", "'self' blob: " + MEDIA_ORIGIN)
                    .containsEntry("connect-src", "'self' ws: wss: " + MEDIA_ORIGIN);
            // plain HTTP here: no HSTS, which would pin browsers to an HTTPS site that does not exist
            assertThat(answer.headers().firstValue("Strict-Transport-Security"))
                    .as(what)
                    .isEmpty();
        }
    }

    /** The policy allows no inline code: a page that had some would break under it. */
    @Test
    void theWebUiHasNoInlineScriptStyleOrHandlerThatThePolicyWouldBlock() throws IOException {
        Pattern inlineScript = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
        Pattern inlineStyle = Pattern.compile("<style\\b|\\sstyle\\s*=", Pattern.CASE_INSENSITIVE);
        Pattern handler = Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);
        Pattern javascriptUrl = Pattern.compile("javascript:", Pattern.CASE_INSENSITIVE);
        Path root = Path.of("src/main/resources/static");
        List<Path> pages;
        try (Stream<Path> files = Files.walk(root)) {
            pages = files.filter(p -> p.toString().endsWith(".html")).toList();
        }
        assertThat(pages).isNotEmpty();
        for (Path page : pages) {
            String html = Files.readString(page);
            assertThat(inlineScript.matcher(html).find())
                    .as(page + " has an inline script")
                    .isFalse();
            assertThat(inlineStyle.matcher(html).find())
                    .as(page + " has an inline style")
                    .isFalse();
            assertThat(handler.matcher(html).find())
                    .as(page + " has an inline handler")
                    .isFalse();
            assertThat(javascriptUrl.matcher(html).find())
                    .as(page + " has a javascript: URL")
                    .isFalse();
        }
    }

    @Test
    void anOriginTheUrlParserCannotReadIsRefusedWithAProblemNotA500() throws Exception {
        for (String origin : List.of(
                "https://app.example:abc",
                "https://app.example:99999",
                "https://app.example:-1",
                "https://app.example:",
                "http://[::1",
                "https://app.example:443:443",
                "null",
                "%")) {
            for (String method : List.of("GET", "OPTIONS")) {
                var answer = method.equals("GET")
                        ? send("GET", "/api/v1/videos/1", "Origin", origin)
                        : send(
                                "OPTIONS",
                                "/api/v1/videos/1",
                                "Origin",
                                origin,
                                "Access-Control-Request-Method",
                                "POST");
                assertThat(answer.statusCode())
                        .as(method + " with Origin " + origin)
                        .isEqualTo(403);
                assertThat(answer.headers().firstValue("Content-Type").orElse(""))
                        .as(origin)
                        .startsWith("application/problem+json");
                assertThat(JSON.readTree(answer.body()).get("code").asString()).isEqualTo("origin-not-allowed");
            }
        }
        // the allow-listed origin still works
        assertThat(send("GET", "/api/v1/videos/1", "Origin", "https://app.example")
                        .statusCode())
                .isEqualTo(200);
    }

    /** NUL, invalid UTF-8 and stray bytes in a query: forwarded as they came, or refused; never a 5xx. */
    @Test
    void hostileQueryStringsAreForwardedOrRefusedButNeverA500() throws Exception {
        for (String query : List.of(
                "q=%00",
                "q=%FF", "q=%C3%28", "q=%ED%A0%80", "q=%EF%BF%BF", "%FF=1", "page=-1&size=99999999999", "sort=%00")) {
            var answer = send("GET", "/api/v1/videos?" + query);
            assertThat(answer.statusCode()).as(query).isLessThan(500);
            if (answer.statusCode() == 200) {
                assertThat(JSON.readTree(answer.body()).get("path").asString())
                        .as("forwarded unchanged")
                        .isEqualTo("/api/v1/videos?" + query);
            }
        }
        // raw bytes the client did not percent-encode, and broken escapes (java.net.URI refuses to send them)
        for (String raw : List.of("q=\u00ff\u00fe", "q=a\u0001b", "q=a\u007fb", "q=%", "q=%G1", "q=a%2")) {
            String request = "GET /api/v1/videos?" + raw + " HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n";
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(15_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertThat(status).as(raw).matches("HTTP/1.1 [234]\\d\\d");
            }
        }
    }

    /**
     * The headers a client's {@code Connection} names are hop-by-hop: the gateway must drop the client's
     * copies, never the ones it adds itself after reading the request.
     */
    @Test
    void aClientsConnectionHeaderCannotRemoveTheHeadersTheGatewayAdds() throws Exception {
        String request = "GET /api/v1/videos/1 HTTP/1.1\r\nHost: gateway\r\n"
                + "Authorization: Bearer user-1\r\n"
                + "Connection: keep-alive, X-User-Id, X-User-Name, X-Service-Token, X-Client-Ip, X-Request-Id\r\n"
                + "X-User-Id: 666\r\nX-Client-Ip: 10.6.6.6\r\nX-Service-Token: forged\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String response = readResponse(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200");
            JsonNode headers = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                    .get("headers");
            assertThat(headers.path("x-user-id").asString()).isEqualTo("1");
            assertThat(headers.path("x-user-name").asString()).isEqualTo("alice");
            assertThat(headers.path("x-service-token").asString()).isEqualTo(SERVICE_TOKEN);
            assertThat(headers.path("x-client-ip").asString()).isEqualTo("127.0.0.1");
            assertThat(headers.path("x-request-id").asString()).isNotEmpty();
        }
    }

    @Test
    void aClientsForwardedHeadersDoNotChangeItsAddressEvenInAPod() throws Exception {
        var echo = send(
                "GET",
                "/api/v1/videos/1",
                "X-Forwarded-For",
                "10.6.6.6",
                "Forwarded",
                "for=10.7.7.7;proto=https",
                "X-Forwarded-Proto",
                "https");
        assertThat(echo.statusCode()).isEqualTo(200);
        JsonNode headers = JSON.readTree(echo.body()).get("headers");
        assertThat(headers.path("x-client-ip").asString()).isEqualTo("127.0.0.1");
    }

    @Test
    void aHeaderTheClientNamesInConnectionIsNotForwarded() throws Exception {
        String request = "GET /api/v1/videos/1 HTTP/1.1\r\nHost: gateway\r\n"
                + "Connection: X-Hop-Only\r\nX-Hop-Only: secret\r\nX-Kept: yes\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String response = readResponse(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200");
            JsonNode headers = JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                    .get("headers");
            assertThat(headers.has("x-hop-only")).isFalse();
            assertThat(headers.path("x-kept").asString()).isEqualTo("yes");
        }
    }

    /**
     * A body whose bytes stop for longer than the read timeout (2 s here) is cut off: the connection is
     * closed, with a 408 when the gateway can still answer, and the trickler holds nothing open.
     */
    @Test
    void aBodyThatFallsSilentLongerThanTheReadTimeoutIsCutOff() throws Exception {
        String head = "POST /api/v1/videos/1/danmaku HTTP/1.1\r\nHost: gateway\r\n"
                + "Authorization: Bearer user-1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String answer = readAll(socket.getInputStream());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // cut off well before the 20 s this socket would wait, and never handed to the service
            assertThat(took).isLessThan(Duration.ofSeconds(15));
            assertThat(answer)
                    .satisfiesAnyOf(
                            a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
        }
    }

    /**
     * The trickle: a 60 KB body sent 2 KB a second never falls silent for the read timeout, yet must
     * not hold a proxied request for half a minute; it is cut off once the whole-body time has passed.
     */
    @Test
    void aBodyTrickledWithoutEverFallingSilentIsCutOffAfterTheWholeBodyTime() throws Exception {
        String head = "POST /api/v1/videos/1/danmaku HTTP/1.1\r\nHost: gateway\r\n"
                + "Authorization: Bearer user-1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"text\":\"".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            byte[] chunk = "x".repeat(1000).getBytes(StandardCharsets.US_ASCII);
            int sent = 9;
            try {
                // 2 KB/s, in half-second steps: never silent for the 2 s read timeout
                while (sent + chunk.length < 60_000 && socket.getInputStream().available() == 0) {
                    out.write(chunk);
                    out.flush();
                    sent += chunk.length;
                    Thread.sleep(500);
                }
            } catch (IOException closed) {
                // the gateway cut the connection while the client was still writing: what we want
            }
            String answer = readAll(socket.getInputStream());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // the whole body would take 30 s: cut off long before it, never handed whole to the service
            assertThat(sent).as("bytes sent before the cut").isLessThan(60_000 - chunk.length);
            assertThat(took).isLessThan(Duration.ofSeconds(25));
            assertThat(answer)
                    .satisfiesAnyOf(
                            a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
        }
    }

    @Test
    void aBodyThatKeepsFlowingWithShortPausesIsRead() throws Exception {
        byte[] body = "{\"text\":\"slow but steady\",\"playbackMs\":0}".getBytes(StandardCharsets.US_ASCII);
        String head = "POST /api/v1/videos/1/danmaku HTTP/1.1\r\nHost: gateway\r\n"
                + "Authorization: Bearer user-1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < body.length; i += 10) {
                out.write(body, i, Math.min(10, body.length - i));
                out.flush();
                Thread.sleep(300);
            }
            assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    private static Map<String, String> directives(String policy) {
        Map<String, String> directives = new LinkedHashMap<>();
        for (String directive : policy.split(";")) {
            String[] parts = directive.strip().split("\\s+", 2);
            directives.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        return directives;
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One response with a Content-Length body, as text. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        var length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
        int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return text + new String(in.readNBytes(bodyLength), StandardCharsets.UTF_8);
    }

    /** Everything until the gateway closes the connection (fails on the socket's own timeout). */
    private static String readAll(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the gateway kept the connection open", e);
        } catch (IOException reset) {
            return "";
        }
    }

    private static DisposableServer startBackend() {
        return HttpServer.create()
                .bindAddress(() -> new InetSocketAddress("127.0.0.1", 0))
                .route(routes -> routes.post(
                                "/internal/v1/sessions/introspect",
                                (request, response) -> request.receive()
                                        .then(response.header("Content-Type", "application/json")
                                                .sendString(Mono.just("{\"userId\":1,\"username\":\"alice\"}"))
                                                .then()))
                        .route(
                                request -> true,
                                (request, response) -> request.receive()
                                        .aggregate()
                                        .asString()
                                        .defaultIfEmpty("")
                                        .flatMap(body -> {
                                            Map<String, String> headers = new LinkedHashMap<>();
                                            request.requestHeaders()
                                                    .forEach(h -> headers.merge(
                                                            h.getKey().toLowerCase(java.util.Locale.ROOT),
                                                            h.getValue(),
                                                            (a, b) -> a + "," + b));
                                            return response.header("Content-Type", "application/json")
                                                    .sendString(Mono.just(JSON.writeValueAsString(
                                                            Map.of("path", request.uri(), "headers", headers))))
                                                    .then();
                                        })))
                .bindNow();
    }
}
