import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The smallest stack that measures danmaku-service's own ingest cost: the real servers (Kafka, Redis,
 * MariaDB, S3 store) on free ports, danmaku-service on args[1] + 3, and in place of video-service a stub on
 * args[1] + 2 that says every video is READY and 10 minutes long (danmaku-service caches it anyway). With
 * four fewer JVMs than {@code BenchStack} it starts on a loaded two-core machine and leaves the cores to
 * the service under test.
 *
 * <p>Standard input takes commands: {@code start <jar>} (re)starts danmaku-service from that jar and prints
 * {@code READY} when it answers; EOF stops everything. The first line printed is {@code TOKEN <service
 * token>}. JVM options come from {@code BARRAGE_SERVICE_JVM_OPTS} (default {@code -Xms256m -Xmx512m
 * -XX:+UseParallelGC}).
 *
 * <p>Run with the infra classpath: {@code java -cp deploy/infra/target/classes:$(cat
 * deploy/infra/target/classpath.txt) deploy/bench/danmaku-ingest.d/DirectStack.java <data dir> <port>}.
 */
public class DirectStack {
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int base = Integer.parseInt(args[1]);
        int videoPort = base + 2;
        int danmakuPort = base + 3;
        Infra infra = Infra.start(dataDir.resolve("infra"), Infra.Ports.random());
        HttpServer videos = HttpServer.create(new InetSocketAddress("127.0.0.1", videoPort), 64);
        videos.createContext("/internal/v1/videos/", exchange -> {
            String id = exchange.getRequestURI().getPath().replaceAll(".*/", "");
            byte[] body = ("{\"id\":" + id + ",\"ownerId\":1,\"durationMs\":600000,\"status\":\"READY\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        videos.start();
        Process[] service = new Process[1];
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (service[0] != null) {
                service[0].destroy();
                try {
                    service[0].waitFor();
                } catch (InterruptedException ignored) {
                    // leaving anyway
                }
            }
            videos.stop(0);
            infra.close();
        }));
        System.out.println("TOKEN " + infra.serviceToken());
        System.out.flush();
        Map<String, String> props = new LinkedHashMap<>(infra.springProperties(Service.DANMAKU));
        props.put("server.port", Integer.toString(danmakuPort));
        props.put("spring.cloud.discovery.client.simple.instances.video-service[0].uri", "http://127.0.0.1:" + videoPort);
        props.put("spring.data.redis.timeout", "15s");
        props.put("spring.data.redis.connect-timeout", "15s");
        props.put("barrage.danmaku.rate.user-burst", "1000000");
        props.put("barrage.danmaku.rate.user-interval", "1ms");
        String json = props.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
        String opts = System.getenv().getOrDefault("BARRAGE_SERVICE_JVM_OPTS", "-Xms256m -Xmx512m -XX:+UseParallelGC");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (!line.startsWith("start ")) {
                continue;
            }
            if (service[0] != null) {
                service[0].destroy();
                service[0].waitFor();
            }
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(List.of(opts.trim().split("\\s+")));
            command.addAll(List.of("-jar", line.substring(6).trim()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Files.createDirectories(dataDir.resolve("logs"))
                            .resolve("danmaku-service.log")
                            .toFile());
            builder.environment().put("SPRING_APPLICATION_JSON", json);
            builder.environment().put("SPRING_PROFILES_ACTIVE", "local");
            service[0] = builder.start();
            awaitReady(danmakuPort, service[0]);
            System.out.println("READY " + service[0].pid());
            System.out.flush();
        }
        System.exit(0); // the shutdown hook stops everything
    }

    private static void awaitReady(int port, Process process) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<Void> response = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("danmaku-service did not become ready");
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
