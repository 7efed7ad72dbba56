import com.sun.net.httpserver.HttpServer;
import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The density curve and likes, measured on danmaku-service alone (real servers, a stub video-service):
 *
 * <ol>
 *   <li>100,000 danmaku of one video are published to {@code danmaku.events} (as ingest would) and the
 *       persister stores them, keeping the curve as it goes; the curve must then sum to 100,000.
 *   <li>The density endpoint: cold reads (the cached curve deleted before each: one database statement
 *       each), then cached reads, single client (p50/p99) and 8 clients (reads/s), against a bare JDK HTTP
 *       server answering the same bytes from memory in the same run (the ratio), with danmaku-service's
 *       CPU per read and the database statements each phase ran.
 *   <li>Likes at a fixed offered rate (default 1,000/s for 10 s) on one danmaku, from distinct users plus
 *       10 % repeats, then the flush: MariaDB's count must equal the distinct users.
 * </ol>
 *
 * <p>Run by {@code deploy/bench/danmaku-density} with the infra classpath; args: data dir, danmaku jar,
 * base port.
 */
public class DensityBench {

    static final long VIDEO = 424_242;
    static final int DANMAKU = Integer.getInteger("danmaku", 100_000);
    static final int LIKE_RATE = Integer.getInteger("likeRate", 1000);
    static final int LIKE_SECONDS = Integer.getInteger("likeSeconds", 10);
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        String jar = args[1];
        int port = Integer.parseInt(args[2]);
        Infra infra = Infra.start(data.resolve("infra"), Infra.ServerPorts.random());
        HttpServer videos = stubVideoService(port + 1);
        Process service = null;
        try {
            service = startDanmaku(infra, jar, port, port + 1, data);
            String base = "http://127.0.0.1:" + port;
            String token = infra.serviceToken();
            Properties db = new Properties();
            Map<String, String> props = infra.springProperties(Service.DANMAKU);
            db.put("user", props.get("spring.datasource.username"));
            db.put("password", props.get("spring.datasource.password"));
            try (Connection sql = DriverManager.getConnection(props.get("spring.datasource.url"), db)) {
                seed(infra, sql);
                density(base, token, sql, infra.redisPort(), service.pid());
                likes(base, token, sql, service.pid());
            }
        } finally {
            if (service != null) {
                service.destroy();
                service.waitFor();
            }
            videos.stop(0);
            infra.close();
        }
    }

    /** Publishes the danmaku as ingest does; a burst at 2:00 with repeated words, the rest spread evenly. */
    static void seed(Infra infra, Connection sql) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", infra.kafkaBootstrapServers());
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        p.put("linger.ms", "20");
        p.put("batch.size", "262144");
        long start = System.nanoTime();
        long firstId = (System.currentTimeMillis() - Instant.parse("2026-01-01T00:00:00Z").toEpochMilli()) << 22;
        String now = Instant.now().toString();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < DANMAKU; i++) {
                boolean burst = i % 10 == 0;
                long playbackMs = burst ? 120_000 + (i % 5000) : (long) (i * 600_000L / DANMAKU);
                String text = burst ? (i % 20 == 0 ? "前方高能 " + i : "前方高能！") : "line " + i;
                String value = "{\"type\":\"DanmakuCreated\",\"version\":1,\"id\":\"" + (firstId + i) + "\",\"videoId\":"
                        + VIDEO + ",\"seq\":" + (i + 1) + ",\"senderId\":" + (1 + i % 5000) + ",\"text\":\"" + text
                        + "\",\"playbackMs\":" + playbackMs + ",\"mode\":\"SCROLL\",\"color\":16777215,\"size\":\"NORMAL\","
                        + "\"createdAt\":\"" + now + "\"}";
                producer.send(new ProducerRecord<>("danmaku.events", Long.toString(VIDEO), value));
            }
        }
        long stored = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (stored < DANMAKU && System.nanoTime() < deadline) {
            Thread.sleep(500);
            stored = single(sql, "SELECT COUNT(*) FROM danmaku WHERE video_id = " + VIDEO);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long curve = single(sql, "SELECT COALESCE(SUM(danmaku), 0) FROM danmaku_density WHERE video_id = " + VIDEO);
        System.out.printf(
                "seed: %d danmaku published and stored in %.1f s (%.0f/s, the curve kept by the persister); curve sums to %d%n",
                stored, seconds, stored / seconds, curve);
        if (stored != DANMAKU || curve != DANMAKU) {
            throw new AssertionError("stored " + stored + ", curve " + curve + ", expected " + DANMAKU);
        }
    }

    static void density(String base, String token, Connection sql, int redisPort, long pid) throws Exception {
        String path = "/api/v1/videos/" + VIDEO + "/danmaku/density";
        URI uri = URI.create(base + path);
        byte[] body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray())
                .body();
        System.out.printf("density: %d bytes, %d buckets%n", body.length, body.length == 0 ? 0 : countCommas(body));
        // cold: the cached curve deleted before each read
        double before = statements(base, "DensityMapper.buckets");
        double allBefore = statements(base, null);
        long[] cold = new long[20];
        for (int i = 0; i < cold.length; i++) {
            redis(redisPort, "DEL danmaku:density:" + VIDEO);
            long t = System.nanoTime();
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            cold[i] = System.nanoTime() - t;
        }
        double coldStatements = statements(base, "DensityMapper.buckets") - before;
        System.out.printf(
                "density cold (cache deleted before each, %d reads): p50 %.2f ms, p99 %.2f ms; curve loads %.0f, all statements %.0f%n",
                cold.length, pct(cold, 50), pct(cold, 99), coldStatements, statements(base, null) - allBefore);

        HttpServer bare = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        bare.setExecutor(Executors.newFixedThreadPool(8));
        bare.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        bare.start();
        URI bareUri = URI.create("http://127.0.0.1:" + bare.getAddress().getPort() + path);
        try {
            for (int round = 0; round < 2; round++) { // the first round warms both up
                boolean report = round == 1;
                double s0 = statements(base, "DensityMapper.buckets");
                double a0 = statements(base, null);
                long cpu0 = cpuMillis(pid);
                long[] cached = sequential(uri, 3000);
                double rate = concurrent(uri, 8, 5);
                long cpu1 = cpuMillis(pid);
                double loads = statements(base, "DensityMapper.buckets") - s0;
                double all = statements(base, null) - a0;
                long[] peer = sequential(bareUri, 3000);
                double peerRate = concurrent(bareUri, 8, 5);
                if (report) {
                    System.out.printf(
                            "density cached, 1 client: p50 %.2f ms, p99 %.2f ms | bare server: p50 %.2f ms, p99 %.2f ms%n",
                            pct(cached, 50), pct(cached, 99), pct(peer, 50), pct(peer, 99));
                    System.out.printf(
                            "density cached, 8 clients: %.0f reads/s | bare server %.0f reads/s | ratio %.2f%n",
                            rate, peerRate, rate / peerRate);
                    System.out.printf(
                            "density cached: danmaku-service CPU %.3f ms per read; curve loads %.0f, all statements %.0f over %d reads%n",
                            (cpu1 - cpu0) / (3000 + rate * 5), loads, all, (long) (3000 + rate * 5));
                }
            }
        } finally {
            bare.stop(0);
        }
    }

    static void likes(String base, String token, Connection sql, long pid) throws Exception {
        long danmakuId = single(sql, "SELECT MIN(id) FROM danmaku WHERE video_id = " + VIDEO);
        URI uri = URI.create(base + "/api/v1/videos/" + VIDEO + "/danmaku/" + danmakuId + "/like");
        int total = LIKE_RATE * LIKE_SECONDS;
        int distinct = total - total / 10; // every tenth like repeats an earlier user's
        double ins0 = statements(base, "LikeMapper.insertLikes");
        double cnt0 = statements(base, "LikeMapper.addCount");
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong highest = new AtomicLong();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        long cpu0 = cpuMillis(pid);
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / LIKE_RATE;
        CompletableFuture<Void> done = new CompletableFuture<>();
        clock.scheduleAtFixedRate(
                () -> {
                    int i = next.getAndIncrement();
                    if (i >= total) {
                        done.complete(null);
                        return;
                    }
                    long user = i % 10 == 9 ? 1_000_000 + (i / 10) : 1_000_000 + i - i / 10;
                    long t = System.nanoTime();
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .PUT(HttpRequest.BodyPublishers.noBody())
                            .header("X-Service-Token", token)
                            .header("X-User-Id", Long.toString(user))
                            .build();
                    synchronized (pending) {
                        pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                                .whenComplete((r, e) -> {
                                    latencies.add(System.nanoTime() - t);
                                    if (e != null || r.statusCode() != 200) {
                                        errors.incrementAndGet();
                                    } else {
                                        String b = r.body();
                                        int at = b.indexOf("\"likes\":") + 8;
                                        highest.accumulateAndGet(
                                                Long.parseLong(b.substring(at, b.indexOf(',', at))), Math::max);
                                    }
                                }));
                    }
                },
                0,
                periodNanos,
                TimeUnit.NANOSECONDS);
        done.join();
        clock.shutdownNow();
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu1 = cpuMillis(pid);
        long[] l = latencies.stream().mapToLong(Long::longValue).toArray();
        System.out.printf(
                "likes: %d sent in %.1f s (%.0f/s offered %d/s), %d errors; p50 %.2f ms, p99 %.2f ms; danmaku-service CPU %.3f ms per like; highest count answered %d%n",
                total, seconds, total / seconds, LIKE_RATE, errors.get(), pct(l, 50), pct(l, 99),
                (cpu1 - cpu0) / (double) total, highest.get());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long flushed = 0;
        while (System.nanoTime() < deadline) {
            flushed = single(sql, "SELECT COALESCE((SELECT likes FROM danmaku_like_count WHERE danmaku_id = " + danmakuId + "), 0)");
            if (flushed >= distinct) {
                break;
            }
            Thread.sleep(200);
        }
        long rows = single(sql, "SELECT COUNT(*) FROM danmaku_like WHERE danmaku_id = " + danmakuId);
        System.out.printf(
                "likes after the flush: MariaDB count %d, rows %d, distinct users %d -> %s; count-row updates %.0f, liker inserts %.0f (statements)%n",
                flushed, rows, distinct, flushed == distinct && rows == distinct && highest.get() == distinct ? "none lost, none doubled" : "MISMATCH",
                statements(base, "LikeMapper.addCount") - cnt0, statements(base, "LikeMapper.insertLikes") - ins0);
    }

    static long[] sequential(URI uri, int n) throws Exception {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            out[i] = System.nanoTime() - t;
        }
        return out;
    }

    static double concurrent(URI uri, int clients, int seconds) throws Exception {
        AtomicLong count = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    while (System.nanoTime() < end) {
                        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                        count.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        return count.get() / (double) seconds;
    }

    static double pct(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }

    static int countCommas(byte[] body) {
        int n = 1;
        for (byte b : body) {
            if (b == ',') {
                n++;
            }
        }
        return n;
    }

    /** A MyBatis statement's count from /actuator/prometheus (all statements when name is null). */
    static double statements(String base, String name) throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("danmaku_db_statements_total{") && (name == null || line.contains("statement=\"" + name + "\""))) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / 100; // CLK_TCK is 100 on Linux
    }

    static void redis(int port, String command) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getInputStream().read(new byte[64]);
        }
    }

    static long single(Connection sql, String query) throws Exception {
        try (ResultSet rows = sql.createStatement().executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    static HttpServer stubVideoService(int port) throws Exception {
        HttpServer videos = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
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
        return videos;
    }

    static Process startDanmaku(Infra infra, String jar, int port, int videoPort, Path data) throws Exception {
        Map<String, String> props = new LinkedHashMap<>(infra.springProperties(Service.DANMAKU));
        props.put("server.port", Integer.toString(port));
        props.put("spring.cloud.discovery.client.simple.instances.video-service[0].uri", "http://127.0.0.1:" + videoPort);
        props.put("spring.data.redis.timeout", "15s");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        String opts = System.getenv().getOrDefault("BARRAGE_SERVICE_JVM_OPTS", "-Xms256m -Xmx512m -XX:+UseParallelGC");
        command.addAll(List.of(opts.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(data.resolve("logs")).resolve("danmaku-service.log").toFile());
        builder.environment().put("SPRING_APPLICATION_JSON", LocalStack.springApplicationJson(props));
        builder.environment().put("SPRING_PROFILES_ACTIVE", "local");
        Process process = builder.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!LocalStack.ready(http, port)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("danmaku-service did not start; see " + data.resolve("logs"));
            }
            Thread.sleep(500);
        }
        return process;
    }
}
