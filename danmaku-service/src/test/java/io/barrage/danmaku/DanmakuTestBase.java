package io.barrage.danmaku;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One Spring context on the real infrastructure, shared by every test class that extends this (same
 * configuration, so Spring caches it), with a stand-in for video-service: video 1 and 4 are READY (60 s),
 * 3 is still PROCESSING, 5 is READY and claims a 136-year duration, 6 is DELETED, 8 and 10–99 are READY
 * (3 h), and so are 100–199 (for the danmaku actions' tests); all are owned by user 7; others are unknown.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class DanmakuTestBase {

    public static final long OWNER = 7;
    /** What a lying 140-byte MP4 declared: 136 years. */
    protected static final long HUGE_DURATION_MS = 136L * 365 * 24 * 3600 * 1000;

    protected static final AtomicReference<String> lastRequestIdSeen = new AtomicReference<>();
    /** While false the stand-in answers 500, as a failing video-service would. */
    protected static final AtomicBoolean videoServiceUp = new AtomicBoolean(true);

    private static final HttpServer videoService = startVideoService();
    protected static final JsonMapper json = JsonMapper.builder().build();

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.DANMAKU).forEach((k, v) -> registry.add(k, () -> v));
        registry.add(
                "spring.cloud.discovery.client.simple.instances.video-service[0].uri",
                () -> "http://127.0.0.1:" + videoService.getAddress().getPort());
        registry.add("barrage.danmaku.banned-words", () -> "badword,禁止词");
        // Long enough that no test sees a video's cached state expire: only an event may change it.
        registry.add("barrage.danmaku.video-cache.ttl", () -> "10m");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected DataSource dataSource;

    @Autowired
    protected MeterRegistry meters;

    protected final HttpClient http = TestHttp.client();

    protected HttpResponse<String> post(long videoId, String body) throws Exception {
        return post(videoId, 42, body);
    }

    protected HttpResponse<String> post(long videoId, long userId, String body, String... headers) throws Exception {
        return send("POST", "/api/v1/videos/" + videoId + "/danmaku", userId, body, headers);
    }

    /** A request as the gateway forwards it: with the service credential and, if userId > 0, a user. */
    protected HttpResponse<String> send(String method, String path, long userId, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("X-Service-Token", TestInfra.get().serviceToken())
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (userId > 0) {
            request.header("X-User-Id", Long.toString(userId));
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    protected JsonNode getJson(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected static void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("code").asString()).as(response.body()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("SELECT");
    }

    protected long count(String sql, Object arg) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, arg);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A row written straight to the table, as rows stored before today's rules were (a playback time past
     * any cap, text the rules now refuse). Use a video whose history was not read yet (nothing cached).
     */
    protected void insertRow(long id, long videoId, long seq, long playbackMs, String text) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "INSERT INTO danmaku (id, video_id, seq, sender_id, text, playback_ms, mode, color, size,"
                                + " created_at) VALUES (?, ?, ?, 42, ?, ?, 'SCROLL', 16777215, 'NORMAL',"
                                + " UTC_TIMESTAMP(3))")) {
            statement.setLong(1, id);
            statement.setLong(2, videoId);
            statement.setLong(3, seq);
            statement.setString(4, text);
            statement.setLong(5, playbackMs);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The danmaku a POST acknowledged (asserting it was a 201). */
    protected static JsonNode sent(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json.readTree(response.body());
    }

    /** A row sent by {@code senderId} {@code secondsAgo} ago, written straight to the table. */
    protected void insertSentAgo(long id, long videoId, long seq, long senderId, long secondsAgo) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "INSERT INTO danmaku (id, video_id, seq, sender_id, text, playback_ms, mode, color, size,"
                                + " created_at) VALUES (?, ?, ?, ?, 'old news', 1000, 'SCROLL', 16777215, 'NORMAL',"
                                + " UTC_TIMESTAMP(3) - INTERVAL ? SECOND)")) {
            statement.setLong(1, id);
            statement.setLong(2, videoId);
            statement.setLong(3, seq);
            statement.setLong(4, senderId);
            statement.setLong(5, secondsAgo);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    protected long rowsWithId(String id) {
        return count("SELECT COUNT(*) FROM danmaku WHERE id = ?", Long.parseLong(id));
    }

    /** How many times a mapper method has run, e.g. {@code DanmakuMapper.segment}. */
    protected double statements(String statement) {
        Counter counter =
                meters.find("danmaku.db.statements").tag("statement", statement).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Every MyBatis statement run so far, all mappers together. */
    protected double allStatements() {
        return meters.find("danmaku.db.statements").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    protected static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Every event on danmaku.events for a video, in partition order. */
    protected static List<JsonNode> eventsOf(long videoId) {
        Properties props = new Properties();
        props.put("bootstrap.servers", TestInfra.get().kafkaBootstrapServers());
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", StringDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        List<JsonNode> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor("danmaku.events").stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (Long.toString(videoId).equals(record.key())) {
                        events.add(json.readTree(record.value()));
                    }
                }
            }
        }
        return events;
    }

    private static HttpServer startVideoService() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            Map<String, String> videos = Map.of(
                    "1", "{\"id\":1,\"ownerId\":7,\"durationMs\":60000,\"status\":\"READY\"}",
                    "3", "{\"id\":3,\"ownerId\":7,\"durationMs\":60000,\"status\":\"PROCESSING\"}",
                    "4", "{\"id\":4,\"ownerId\":7,\"durationMs\":60000,\"status\":\"READY\"}",
                    "5", "{\"id\":5,\"ownerId\":7,\"durationMs\":" + HUGE_DURATION_MS + ",\"status\":\"READY\"}",
                    "6", "{\"id\":6,\"ownerId\":7,\"durationMs\":60000,\"status\":\"DELETED\"}",
                    "8", "{\"id\":8,\"ownerId\":7,\"durationMs\":10800000,\"status\":\"READY\"}");
            server.createContext("/internal/v1/videos/", exchange -> {
                lastRequestIdSeen.set(exchange.getRequestHeaders().getFirst("X-Request-Id"));
                String id = exchange.getRequestURI().getPath().substring("/internal/v1/videos/".length());
                String body = videos.get(id);
                if (body == null
                        && id.matches("[1-9][0-9]{1,2}")
                        && Integer.parseInt(id) >= 10
                        && Integer.parseInt(id) < 200) {
                    body = "{\"id\":" + id + ",\"ownerId\":7,\"durationMs\":10800000,\"status\":\"READY\"}";
                }
                int status;
                if (!videoServiceUp.get()) {
                    status = 500;
                    body = "{\"code\":\"internal-error\"}";
                } else if (!TestInfra.get()
                        .serviceToken()
                        .equals(exchange.getRequestHeaders().getFirst("X-Service-Token"))) {
                    status = 401;
                    body = "{\"code\":\"service-credential-required\"}";
                } else if (body == null) {
                    status = 404;
                    body = "{\"code\":\"video-not-found\"}";
                } else {
                    status = 200;
                }
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
