import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Hot room benchmark: one video with VIEWERS viewers on three push-service processes (shards 0..2 of 3,
 * private infrastructure on free ports), either spread over the three ({@code spread}: threshold VIEWERS/3,
 * so the owner's set grows to 3) or all on the owner ({@code one}: the threshold out of reach). Publishes
 * RATE danmaku/s of that video for SECONDS after a warm-up of as long, and prints: deliveries (items
 * received by all viewers) per CPU-second of the three push JVMs together, end-to-end latency p50/p99 on a
 * sample of 200 viewers (producer clock to arrival; one machine, one clock), and the Kafka bytes each shard's
 * feeds fetched over the window (barrage_push_feed_fetched_bytes_total: its own partitions plus the borrowed
 * ones, the borrowed part also alone).
 *
 * <p>Usage (from the repository root, with the infra classpath): {@code java -cp
 * deploy/infra/target/classes:$(cat deploy/infra/target/classpath.txt)
 * deploy/bench/push-spread.d/SpreadBench.java spread|one VIEWERS RATE SECONDS}
 */
public class SpreadBench {

    static final int SHARDS = 3;
    static final HttpClient http = HttpClient.newHttpClient();
    static final AtomicLong delivered = new AtomicLong();
    static final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    static volatile boolean measuring;

    public static void main(String[] args) throws Exception {
        boolean spread = args[0].equals("spread");
        int viewers = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        Path data = Files.createTempDirectory("barrage-spread-bench");
        Path jar = Path.of("push-service/target/push-service-exec.jar").toAbsolutePath();
        Infra infra = Infra.start(data.resolve("infra"), Infra.ServerPorts.random());
        List<Process> shards = new ArrayList<>();
        int[] ports = new int[SHARDS];
        try {
            for (int i = 0; i < SHARDS; i++) {
                ports[i] = freePort();
                Map<String, String> props = new java.util.LinkedHashMap<>(infra.springProperties(Service.PUSH));
                props.put("server.port", Integer.toString(ports[i]));
                props.put("barrage.push.shard-index", Integer.toString(i));
                props.put("barrage.push.shard-count", Integer.toString(SHARDS));
                // One under a third: the set grows to K only once the viewers pass (K-1)·t, so with t = viewers/3
                // exactly the last third's first viewer would wait for a third shard that never comes.
                props.put(
                        "barrage.push.spread-threshold",
                        Integer.toString(spread ? Math.max(1, viewers / SHARDS - 1) : 100_000_000));
                props.put("barrage.push.spread-max-shards", Integer.toString(SHARDS));
                props.put("barrage.push.max-connections", "1000000");
                props.put("barrage.push.max-connections-per-address", "1000000");
                props.put("barrage.push.max-connections-per-user", "1000000");
                List<String> command = new ArrayList<>(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
                command.addAll(List.of(System.getenv()
                        .getOrDefault("PUSH_JVM_OPTS", "-Xms256m -Xmx512m -XX:+UseParallelGC")
                        .trim()
                        .split("\\s+")));
                command.addAll(List.of("-jar", jar.toString()));
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(data.resolve("push-" + i + ".log").toFile());
                builder.environment().put("SPRING_APPLICATION_JSON", LocalStack.springApplicationJson(props));
                shards.add(builder.start());
            }
            for (int i = 0; i < SHARDS; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                while (!LocalStack.ready(http, ports[i])) {
                    if (System.nanoTime() > deadline || !shards.get(i).isAlive()) {
                        throw new IllegalStateException("shard " + i + " did not start; see " + data);
                    }
                    Thread.sleep(500);
                }
            }
            long video = 1;
            while (Utils.toPositive(Utils.murmur2(Long.toString(video).getBytes(StandardCharsets.UTF_8))) % 12 % SHARDS != 0) {
                video++;
            }
            List<WebSocket> sockets = new ArrayList<>();
            int[] perShard = new int[SHARDS];
            for (int n = 0; n < viewers; n++) {
                int shard = spread ? Math.min(SHARDS - 1, n / (viewers / SHARDS)) : 0;
                sockets.add(connect(ports, shard, video, n < 200, 120));
                perShard[shard]++;
            }
            System.out.printf("%s: %d viewers of video %d, per shard %s%n", args[0], viewers, video, java.util.Arrays.toString(perShard));
            Properties props = new Properties();
            props.put("bootstrap.servers", infra.kafkaBootstrapServers());
            props.put("key.serializer", StringSerializer.class.getName());
            props.put("value.serializer", StringSerializer.class.getName());
            props.put("linger.ms", "5");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                long[] seq = {0};
                publish(producer, video, rate, seconds, seq); // warm-up
                measuring = true;
                long[] cpu = new long[SHARDS];
                double[] bytes = new double[SHARDS];
                double[] borrowed = new double[SHARDS];
                for (int i = 0; i < SHARDS; i++) {
                    cpu[i] = cpuMillis(shards.get(i).pid());
                    bytes[i] = bytesFetched(ports[i]);
                    borrowed[i] = feedBytes(ports[i], "feed=\"borrowed\"");
                }
                long before = delivered.get();
                publish(producer, video, rate, seconds, seq);
                Thread.sleep(2000);
                long items = delivered.get() - before;
                long totalCpu = 0;
                StringBuilder fetched = new StringBuilder();
                for (int i = 0; i < SHARDS; i++) {
                    long used = cpuMillis(shards.get(i).pid()) - cpu[i];
                    totalCpu += used;
                    fetched.append(String.format(
                            " shard %d: %.0f B, borrowed %.0f B (cpu %.1f s)",
                            i,
                            bytesFetched(ports[i]) - bytes[i],
                            feedBytes(ports[i], "feed=\"borrowed\"") - borrowed[i],
                            used / 1000.0));
                }
                List<Long> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                System.out.printf(
                        "%s: %d deliveries in %d s, %.0f per push CPU-second (%.1f CPU-s over 3 JVMs); latency p50 %d ms p99 %d ms (%d samples)%n",
                        args[0], items, seconds, items / (totalCpu / 1000.0), totalCpu / 1000.0,
                        sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2),
                        sorted.isEmpty() ? -1 : sorted.get((int) (sorted.size() * 0.99)), sorted.size());
                System.out.println(args[0] + ": Kafka bytes fetched over the window:" + fetched);
            }
            sockets.forEach(WebSocket::abort);
        } finally {
            for (Process shard : shards) {
                shard.destroy();
                shard.waitFor(20, TimeUnit.SECONDS);
            }
            infra.close();
        }
    }

    /** A viewer on the shard; a shard not yet in the set answers 421, so it is tried again. */
    static WebSocket connect(int[] ports, int shard, long video, boolean sample, int attempts) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return http.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + ports[shard] + "/ws/v1/videos/" + video), new Viewer(sample))
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (attempt >= attempts) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    static void publish(KafkaProducer<String, String> producer, long video, int rate, int seconds, long[] seq) throws Exception {
        long start = System.nanoTime();
        long sent = 0;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
            long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
            for (; sent < due; sent++) {
                long s = ++seq[0];
                long now = System.currentTimeMillis();
                String event = "{\"type\":\"DanmakuCreated\",\"version\":1,\"id\":\"" + (video * 1_000_000 + s)
                        + "\",\"videoId\":" + video + ",\"seq\":" + s
                        + ",\"senderId\":1,\"text\":\"load\",\"playbackMs\":0,\"mode\":\"SCROLL\",\"color\":16777215,"
                        + "\"size\":\"NORMAL\",\"createdAt\":\"" + Instant.ofEpochMilli(now) + "\",\"ackedAt\":" + now + "}";
                producer.send(new ProducerRecord<>("danmaku.events", Long.toString(video), event));
            }
            Thread.sleep(2);
        }
        producer.flush();
    }

    /** Counts the items of each danmaku frame; a sample of viewers also takes each item's latency. */
    static final class Viewer implements WebSocket.Listener {
        private final boolean sample;
        private final StringBuilder partial = new StringBuilder();

        Viewer(boolean sample) {
            this.sample = sample;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.startsWith("{\"type\":\"danmaku\"")) {
                    long now = System.currentTimeMillis();
                    int items = 0;
                    for (int at = frame.indexOf("\"ackedAt\":"); at >= 0; at = frame.indexOf("\"ackedAt\":", at + 1)) {
                        items++;
                        if (sample && measuring) {
                            int end = at + 10;
                            while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
                                end++;
                            }
                            latencies.add(now - Long.parseLong(frame.substring(at + 10, end)));
                        }
                    }
                    delivered.addAndGet(items);
                }
            }
            socket.request(1);
            return null;
        }
    }

    /** Bytes of danmaku.events the shard's feeds fetched: its own partitions' and the borrowed hot ones'. */
    static double bytesFetched(int port) throws Exception {
        return feedBytes(port, "");
    }

    /**
     * barrage_push_feed_fetched_bytes_total, summed over the feeds whose line contains {@code filter}. Not
     * Micrometer's kafka_consumer_fetch_manager_bytes_consumed_total: its binder keeps one tag set per name
     * across the registry, so the borrowed consumer's client-level line was dropped and members read 0.
     */
    static double feedBytes(int port, String filter) throws Exception {
        String body = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("barrage_push_feed_fetched_bytes_total{") && line.contains(filter)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
