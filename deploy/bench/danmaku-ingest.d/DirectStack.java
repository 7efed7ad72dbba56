import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The smallest stack that measures danmaku-service's own ingest cost: the real servers (Kafka, Redis,
 * MariaDB, S3 store) on free ports, danmaku-service on args[1] + 3, and in place of video-service a stub on
 * args[1] + 2 that says every video is READY and 10 minutes long (danmaku-service caches it anyway). With
 * four fewer JVMs than {@code PrivateStack} it starts on a loaded two-core machine and leaves the cores to
 * the service under test.
 *
 * <p>Standard input takes commands: {@code start <jar>} (re)starts danmaku-service from that jar and prints
 * {@code READY} when it answers; {@code start <service id> <jar>} does the same for user-service or the
 * gateway (on args[1] + 1 and args[1], the gateway's actuator on args[1] + 10), for a gateway figure with
 * three JVMs instead of six (uploads are not possible: use video ids the stub knows); EOF stops everything. The first line printed is {@code TOKEN <service
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
        Infra infra = Infra.start(dataDir.resolve("infra"), Infra.ServerPorts.random());
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
        Map<Service, Process> running = new java.util.concurrent.ConcurrentHashMap<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process process : running.values()) {
                process.destroy();
                try {
                    process.waitFor();
                } catch (InterruptedException ignored) {
                    // leaving anyway
                }
            }
            videos.stop(0);
            infra.close();
        }));
        System.out.println("TOKEN " + infra.serviceToken());
        System.out.flush();
        String opts = System.getenv().getOrDefault("BARRAGE_SERVICE_JVM_OPTS", "-Xms256m -Xmx512m -XX:+UseParallelGC");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("start")) {
                continue;
            }
            Service which = words.length == 2
                    ? Service.DANMAKU
                    : java.util.Arrays.stream(Service.values())
                            .filter(v -> v.id().equals(words[1]))
                            .findFirst()
                            .orElseThrow();
            String jar = words[words.length - 1];
            int port = base + which.defaultPort() - Service.GATEWAY.defaultPort();
            int readyPort = which == Service.GATEWAY ? base + 10 : port;
            Process old = running.remove(which);
            if (old != null) {
                old.destroy();
                old.waitFor();
            }
            Map<String, String> props = new LinkedHashMap<>(infra.springProperties(which));
            props.put("server.port", Integer.toString(port));
            for (Service other : Service.values()) {
                props.put(
                        "spring.cloud.discovery.client.simple.instances." + other.id() + "[0].uri",
                        "http://127.0.0.1:" + (base + other.defaultPort() - Service.GATEWAY.defaultPort()));
            }
            if (which == Service.GATEWAY) {
                props.put("management.server.port", Integer.toString(base + 10));
            }
            props.putAll(Map.of(
                    "spring.data.redis.timeout", "15s",
                    "spring.data.redis.connect-timeout", "15s",
                    "barrage.danmaku.rate.user-burst", "1000000",
                    "barrage.danmaku.rate.user-interval", "1ms",
                    "barrage.gateway.rate-limits.danmaku-post.per-second", "100000",
                    "barrage.gateway.rate-limits.danmaku-post.burst", "100000",
                    "barrage.gateway.rate-limits.credentials.per-second", "1000",
                    "barrage.gateway.rate-limits.credentials.burst", "1000"));
            String json = LocalStack.springApplicationJson(props);
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(List.of(opts.trim().split("\\s+")));
            command.addAll(List.of("-jar", jar));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Files.createDirectories(dataDir.resolve("logs"))
                            .resolve(which.id() + ".log")
                            .toFile());
            builder.environment().put("SPRING_APPLICATION_JSON", json);
            builder.environment().put("SPRING_PROFILES_ACTIVE", "local");
            Process process = builder.start();
            running.put(which, process);
            awaitReady(readyPort, process);
            System.out.println("READY " + which.id() + " " + process.pid());
            System.out.flush();
        }
        System.exit(0); // the shutdown hook stops everything
    }

    private static void awaitReady(int port, Process process) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (LocalStack.ready(http, port)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the service on port " + port + " did not become ready");
    }
}
