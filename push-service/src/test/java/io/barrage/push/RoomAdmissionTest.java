package io.barrage.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may open a room: at most a few connections per client address and per signed-in user (small caps
 * here, 3 and 2), and, with the default configuration, no foreign browser origin on a connection straight
 * to the shard.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"barrage.push.max-connections-per-address=3", "barrage.push.max-connections-per-user=2"})
class RoomAdmissionTest {

    private static final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.PUSH).forEach((k, v) -> registry.add(k, () -> v));
    }

    @LocalServerPort
    int port;

    private final HttpClient http = TestHttp.client();
    private final List<PushServiceTest.Viewer> viewers = new ArrayList<>();

    @AfterEach
    void disconnect() throws InterruptedException {
        viewers.forEach(PushServiceTest.Viewer::close);
        PushServiceTest.await(() ->
                viewers.stream().allMatch(v -> v.socket == null || v.socket.isInputClosed() || v.closeCode != null));
        viewers.clear();
    }

    private double connections() {
        String metrics = TestHttp.on(port).get("/actuator/prometheus").body();
        Matcher gauge = Pattern.compile("(?m)^barrage_push_connections(?:\\{[^}]*\\})? (\\S+)$")
                .matcher(metrics);
        return gauge.find() ? Double.parseDouble(gauge.group(1)) : -1;
    }

    @Test
    void oneAddressOpensOnlyItsCapOfConnectionsAndGetsAnotherOnceItClosesOne() throws Exception {
        List<PushServiceTest.Viewer> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            open.add(connect(31 + i, Map.of()));
        }
        Answer refused = refusal(34, Map.of());
        assertTooManyConnections(refused);

        // The online count was not inflated by the refused one.
        PushServiceTest.await(() -> open.getFirst().sawOnline(1));

        open.getFirst().close();
        PushServiceTest.await(() -> open.getFirst().closeCode != null);
        PushServiceTest.await(() -> tryConnect(34, Map.of()));
    }

    @Test
    void behindTheGatewayEachClientAddressAndEachUserHasItsOwnCap() throws Exception {
        String token = TestInfra.get().serviceToken();
        for (int i = 0; i < 3; i++) {
            connect(41, Map.of("X-Service-Token", token, "X-Client-Ip", "203.0.113.7"));
        }
        assertTooManyConnections(refusal(41, Map.of("X-Service-Token", token, "X-Client-Ip", "203.0.113.7")));
        // Another client behind the same gateway is not affected...
        connect(41, Map.of("X-Service-Token", token, "X-Client-Ip", "203.0.113.8"));
        // ...and a client cannot claim an address without the service credential: it counts as its peer.
        connect(41, Map.of("X-Client-Ip", "203.0.113.7"));

        // A user is capped across addresses.
        connect(42, Map.of("X-Service-Token", token, "X-Client-Ip", "198.51.100.1", "X-User-Id", "77"));
        connect(42, Map.of("X-Service-Token", token, "X-Client-Ip", "198.51.100.2", "X-User-Id", "77"));
        Answer user = refusal(42, Map.of("X-Service-Token", token, "X-Client-Ip", "198.51.100.3", "X-User-Id", "77"));
        assertTooManyConnections(user);
        assertThat(user.problem().get("detail").asString()).contains("account");
    }

    @Test
    void byDefaultAForeignOriginCannotOpenARoomStraightOnTheShard() throws Exception {
        Answer foreign = refusal(51, Map.of("Origin", "https://evil.example"));
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.problem().get("code").asString()).isEqualTo("origin-not-allowed");

        // The shard's own origin, a client without one, and anything the gateway passed on (it checks origins
        // against its own allow-list) still open rooms.
        connect(51, Map.of("Origin", "http://127.0.0.1:" + port));
        connect(51, Map.of());
        connect(
                52,
                Map.of(
                        "Origin",
                        "https://barrage.example",
                        "X-Service-Token",
                        TestInfra.get().serviceToken()));
    }

    private static void assertTooManyConnections(Answer answer) {
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.head()).containsPattern("(?i)\\r\\nretry-after: *\\d+\\r\\n");
        assertThat(answer.head()).containsPattern("(?i)\\r\\ncontent-type: *application/problem\\+json");
        assertThat(answer.problem().get("code").asString()).isEqualTo("too-many-connections");
    }

    private PushServiceTest.Viewer connect(long videoId, Map<String, String> headers) throws Exception {
        PushServiceTest.Viewer viewer = new PushServiceTest.Viewer();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        headers.forEach(builder::header);
        viewer.socket = builder.buildAsync(uri(videoId), viewer).get(10, TimeUnit.SECONDS);
        viewers.add(viewer);
        return viewer;
    }

    private boolean tryConnect(long videoId, Map<String, String> headers) {
        try {
            connect(videoId, headers);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** What the shard answers a well-formed upgrade (on a bare socket, to see the refusal whole). */
    private Answer refusal(long videoId, Map<String, String> headers) throws IOException {
        StringBuilder request = new StringBuilder("GET /ws/v1/videos/" + videoId + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
        headers.forEach(
                (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the answer's head: %s", head).isNotNegative();
                head.append((char) b);
            }
            Matcher length = Pattern.compile("(?im)^content-length: *(\\d+)").matcher(head);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return new Answer(
                    Integer.parseInt(head.substring(9, 12)), head.toString(), new String(body, StandardCharsets.UTF_8));
        }
    }

    /** A refused upgrade's status, head (status line and headers) and body. */
    record Answer(int status, String head, String body) {
        JsonNode problem() {
            return json.readTree(body);
        }
    }

    private URI uri(long videoId) {
        return URI.create("ws://127.0.0.1:" + port + "/ws/v1/videos/" + videoId);
    }
}
