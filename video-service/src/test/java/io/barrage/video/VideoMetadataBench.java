package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The metadata benchmark's test-JVM mode (deploy/bench/video-metadata): video-service on the real test
 * infrastructure, one uploaded video, its cache entry warm, then wrk against {@code GET /api/v1/videos/{id}}.
 * Not a test (Surefire does not pick up {@code *Bench}); run with {@code -Dtest=VideoMetadataBench}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VideoMetadataBench {

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("logging.level.root", () -> "WARN");
        // the legacy path: the tiny MP4 is READY at once (the ladder would refuse it as undecodable)
        registry.add("barrage.video.transcode.enabled", () -> "false");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Test
    void metadataOnACacheHit() throws Exception {
        String duration = System.getProperty("bench.duration", "20s");
        String connections = System.getProperty("bench.connections", "64");
        String threads = System.getProperty("bench.threads", "2");
        long id = upload();
        String url = "http://127.0.0.1:" + port + "/api/v1/videos/" + id;
        HttpClient http = HttpClient.newHttpClient();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(200);

        wrk(threads, connections, "5s", url); // warm-up: JIT, pools
        double before = statements();
        List<String> out = wrk(threads, connections, duration, url);
        double sql = statements() - before;

        System.out.printf(
                "metadata: GET /api/v1/videos/{id} (cache hit), wrk -t%s -c%s -d%s, %d CPUs shared by wrk, the"
                        + " service and its infrastructure%n",
                threads, connections, duration, Runtime.getRuntime().availableProcessors());
        System.out.printf("  %-26s %12s %10s %10s%n", "", "req/s", "p50", "p99");
        System.out.printf(
                "  %-26s %12s %10s %10s%n",
                "direct to video-service", field(out, "Requests/sec:"), field(out, "50%"), field(out, "99%"));
        System.out.printf("SQL statements during the measured run: %.0f%n", sql);
        out.stream().filter(l -> l.contains("Non-2xx") || l.contains("errors")).forEach(System.out::println);
    }

    private double statements() {
        return meters.find("barrage.video.db.queries").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private static List<String> wrk(String threads, String connections, String duration, String url) throws Exception {
        Process process = new ProcessBuilder(
                        "wrk", "-t" + threads, "-c" + connections, "-d" + duration, "--latency", url)
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (var reader = process.inputReader()) {
            reader.lines().forEach(lines::add);
        }
        assertThat(process.waitFor()).as(String.join("\n", lines)).isZero();
        return lines;
    }

    private static String field(List<String> lines, String name) {
        return lines.stream()
                .map(String::strip)
                .filter(l -> l.startsWith(name))
                .map(l -> l.substring(name.length()).strip().split("\\s+")[0])
                .findFirst()
                .orElse("?");
    }

    private long upload() throws Exception {
        Infra infra = TestInfra.get();
        byte[] mp4 = TinyMp4.build(1000, 4000, 320, 240, 256);
        String boundary = "----barrage" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nBenchmark\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"v.mp4\"\r\nContent-Type: video/mp4\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(mp4);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/videos"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .header("X-Service-Token", infra.serviceToken())
                                .header("X-User-Id", "1")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JsonMapper.builder().build().readTree(response.body()).get("id").asLong();
    }
}
