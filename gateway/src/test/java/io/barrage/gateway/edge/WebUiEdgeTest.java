package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * What the browser-facing edge adds for the web UI: CSRF protection of cookie-authenticated writes,
 * and cache headers on the UI's static files. Every service is a stand-in that accepts any session
 * token and answers 200, so a 403 can only come from the gateway.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebUiEdgeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DisposableServer backend = startBackend();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.GATEWAY).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("management.server.port", () -> "0");
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
    void aCookieAuthenticatedWriteWithoutTheCsrfHeaderIsRefused() throws Exception {
        String cookie = "BARRAGE_SESSION=user-1";
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE"}) {
            var refused = send(method, "/api/v1/videos/1", "Cookie", cookie);
            assertThat(refused.statusCode()).as(method).isEqualTo(403);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            JsonNode problem = JSON.readTree(refused.body());
            assertThat(problem.get("code").asString()).isEqualTo("csrf-rejected");
            assertThat(problem.get("status").asInt()).isEqualTo(403);
        }
        // a header with another value proves nothing either
        assertThat(send("POST", "/api/v1/videos/1/danmaku", "Cookie", cookie, "X-Barrage-Csrf", "yes")
                        .statusCode())
                .isEqualTo(403);
        // logging out is a write like any other
        assertThat(send("DELETE", "/api/v1/sessions/current", "Cookie", cookie).statusCode())
                .isEqualTo(403);
    }

    @Test
    void theCsrfHeaderABearerTokenOrNoCookieLetWritesThrough() throws Exception {
        String cookie = "BARRAGE_SESSION=user-1";
        var withHeader = send("POST", "/api/v1/videos/1/danmaku", "Cookie", cookie, "X-Barrage-Csrf", "1");
        assertThat(withHeader.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(withHeader.body()).get("path").asString()).isEqualTo("/api/v1/videos/1/danmaku");
        assertThat(send("PATCH", "/api/v1/videos/1", "Cookie", cookie, "X-Barrage-Csrf", "1")
                        .statusCode())
                .isEqualTo(200);
        // a browser never adds a bearer token by itself, so such a request cannot be forged
        assertThat(send("DELETE", "/api/v1/videos/1", "Cookie", cookie, "Authorization", "Bearer user-1")
                        .statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/videos/1/danmaku", "Authorization", "Bearer user-1")
                        .statusCode())
                .isEqualTo(200);
        // an anonymous write (register, log in) has no cookie to abuse
        assertThat(send("POST", "/api/v1/sessions").statusCode()).isEqualTo(200);
        // Basic credentials are re-sent by browsers on their own: they do not exempt a cookie write
        assertThat(send("POST", "/api/v1/videos/1/danmaku", "Cookie", cookie, "Authorization", "Basic eDp5")
                        .statusCode())
                .isEqualTo(403);
        // reads never need it
        assertThat(send("GET", "/api/v1/videos/1", "Cookie", cookie).statusCode())
                .isEqualTo(200);
    }

    @Test
    void htmlIsRevalidatedWithAnEtagAndAnswers304WhenUnchanged() throws Exception {
        for (String path : new String[] {"/", "/index.html", "/watch.html"}) {
            var page = send("GET", path);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
            assertThat(page.headers().firstValue("Cache-Control")).as(path).contains("no-cache");
            String etag = page.headers().firstValue("ETag").orElseThrow();
            assertThat(etag).matches("\"[0-9a-f]{24}\"");

            var again = send("GET", path, "If-None-Match", etag);
            assertThat(again.statusCode()).as(path).isEqualTo(304);
            assertThat(again.body()).isEmpty();
            assertThat(again.headers().firstValue("ETag")).contains(etag);
            assertThat(send("GET", path, "If-None-Match", "\"stale\"").statusCode())
                    .isEqualTo(200);
        }
        assertThat(send("GET", "/index.html").headers().firstValue("Last-Modified"))
                .isPresent();
    }

    @Test
    void unhashedAssetsCarryAnEtagAndAreRevalidatedToo() throws Exception {
        var script = send("GET", "/assets/watch.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(script.headers().firstValue("Cache-Control")).contains("no-cache");
        String etag = script.headers().firstValue("ETag").orElseThrow();
        assertThat(send("GET", "/assets/watch.js", "If-None-Match", etag).statusCode())
                .isEqualTo(304);
        // API answers are not touched
        assertThat(send("GET", "/api/v1/videos/1").headers().firstValue("ETag")).isEmpty();
    }

    @Test
    void theHlsPlayerTheWatchPageNamesIsServedByTheGatewayAndCachedForAYear() throws Exception {
        String playback;
        try (InputStream in = getClass().getResourceAsStream("/static/assets/playback.js")) {
            playback = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var named =
                java.util.regex.Pattern.compile("'(/webjars/hls\\.js/[^']+)'").matcher(playback);
        assertThat(named.find()).as("playback.js names hls.js under /webjars").isTrue();
        var script = send("GET", named.group(1));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(script.headers().firstValue("Cache-Control")).contains(StaticCacheHeaders.IMMUTABLE);
        assertThat(script.body()).contains("Hls");
        // its license travels with it
        assertThat(send("GET", named.group(1).replace("dist/hls.min.js", "LICENSE"))
                        .statusCode())
                .isEqualTo(200);
        // a version the gateway does not hold is simply missing, and not cached
        var missing = send("GET", "/webjars/hls.js/0.0.1/dist/hls.min.js");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Cache-Control").orElse("")).doesNotContain("immutable");
    }

    /**
     * Regression: Reactor Netty 1.3.6 stopped reading a keep-alive connection after it had queued a
     * request (it arrived before the previous exchange had fully terminated, which on a busy machine also
     * happens without pipelining) and the gateway then answered that request synchronously: a 304 of the
     * web UI, a 403, a 404. The next request on the connection got
     * no answer at all (reactor/reactor-netty#4361). Pipelining a proxied request and a gateway-made
     * answer in one write queues the second one every time, so this reproduces it deterministically.
     */
    @Test
    void aRequestAfterAnAnswerTheGatewayMadeItselfIsAnsweredOnTheSameConnection() throws Exception {
        String etag = send("GET", "/index.html").headers().firstValue("ETag").orElseThrow();
        String proxied = "GET /api/v1/videos/1 HTTP/1.1\r\nHost: gateway\r\n\r\n";
        // each answered by the gateway itself, without any I/O
        String[][] madeHere = {
            {"GET /index.html HTTP/1.1\r\nHost: gateway\r\nIf-None-Match: " + etag + "\r\n\r\n", "304"},
            {
                "POST /api/v1/videos/1 HTTP/1.1\r\nHost: gateway\r\nCookie: BARRAGE_SESSION=user-1\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                "403"
            },
            {"GET /internal/v1/users/1 HTTP/1.1\r\nHost: gateway\r\n\r\n", "404"},
        };
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            RawHttp connection = new RawHttp(socket);
            for (int round = 0; round < 20; round++) {
                for (String[] answer : madeHere) {
                    connection.write(proxied + answer[0]);
                    assertThat(connection.readStatus("round " + round + ": the proxied request"))
                            .isEqualTo(200);
                    assertThat(connection.readStatus("round " + round + ": the " + answer[1]))
                            .isEqualTo(Integer.parseInt(answer[1]));
                }
            }
            // and on its own, the way a browser sends it
            connection.write(proxied);
            assertThat(connection.readStatus("the last request")).isEqualTo(200);
        }
    }

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15))
                .method(
                        method,
                        method.equals("GET")
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString("{}"));
        if (!method.equals("GET")) {
            request.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The smallest HTTP/1.1 client that keeps one connection and reads whole responses, in order. */
    private static final class RawHttp {
        private final Socket socket;
        private final InputStream in;

        RawHttp(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        void write(String requests) throws IOException {
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** Reads one response (head and body) and returns its status. */
        int readStatus(String request) throws IOException {
            String statusLine;
            try {
                statusLine = line();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 5 s to " + request + " (the connection hangs)", e);
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String name = header.substring(0, header.indexOf(':')).strip();
                String value = header.substring(header.indexOf(':') + 1).strip();
                if (name.equalsIgnoreCase("Content-Length")) {
                    length = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.equalsIgnoreCase("chunked");
                }
            }
            if (status == 304 || status == 204) {
                return status;
            }
            if (chunked) {
                for (long size = Long.parseLong(line().strip(), 16);
                        size > 0;
                        size = Long.parseLong(line().strip(), 16)) {
                    in.readNBytes((int) size);
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are not used
                }
            } else if (length > 0) {
                in.readNBytes((int) length);
            }
            return status;
        }

        private String line() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("the gateway closed the connection");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static DisposableServer startBackend() {
        return HttpServer.create()
                .bindAddress(() -> new InetSocketAddress("127.0.0.1", 0))
                .route(routes -> routes.post(
                                "/internal/v1/sessions/introspect",
                                // reads the request to its end before answering, like a real service: a
                                // Reactor Netty server that answers a queued request before its end has
                                // the same hang as the gateway had (see KeepAliveReads)
                                (request, response) -> request.receive()
                                        .then(response.header("Content-Type", "application/json")
                                                .sendString(Mono.just("{\"userId\":1,\"username\":\"alice\"}"))
                                                .then()))
                        .route(
                                request -> true,
                                (request, response) -> request.receive()
                                        .then(response.header("Content-Type", "application/json")
                                                .sendString(Mono.just(JSON.writeValueAsString(
                                                        java.util.Map.of("path", request.uri()))))
                                                .then())))
                .bindNow();
    }
}
