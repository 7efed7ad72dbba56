import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Load client for push-service (issue 6), bounded in connections and time. It opens real WebSockets and
 * publishes DanmakuCreated events straight to danmaku.events (acks=all), stamping each with the moment
 * the broker acknowledged it; latency is from that ack to the frame arriving at each viewer. It does not
 * go through the gateway and danmaku-service (so it leaves out the POST's own time).
 *
 * <p>Phases: (1) latency and fan-out at RATE danmaku/s across VIDEOS x VIEWERS for SECONDS; fan-out cost is
 * delivered danmaku per push-service CPU-second, from /proc/PID/stat (utime + stime). (2) idle connections:
 * opens IDLE more sockets, forces a GC (jcmd PID GC.run) before and after, and reports heap growth per
 * connection from jvm_memory_used_bytes{area="heap"}.
 *
 * <p>Usage: java -cp CLASSPATH push-load.java PUSH_URL KAFKA_BOOTSTRAP PUSH_PID [RATE VIDEOS VIEWERS SECONDS IDLE]
 */
public class PushLoad {

    static final HttpClient http = HttpClient.newHttpClient();
    static final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    static final AtomicLong delivered = new AtomicLong();
    static final Pattern CREATED = Pattern.compile("\"ackedAt\":(\\d+)");

    public static void main(String[] args) throws Exception {
        String push = args[0];
        String kafka = args[1];
        long pid = Long.parseLong(args[2]);
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        int videos = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int viewers = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int seconds = Math.min(120, args.length > 6 ? Integer.parseInt(args[6]) : 30);
        int idle = Math.min(20_000, args.length > 7 ? Integer.parseInt(args[7]) : 10_000);
        long firstVideo = 900_000_000L + (System.currentTimeMillis() / 1000 % 100_000) * 100;

        List<WebSocket> sockets = new ArrayList<>();
        for (int v = 0; v < videos; v++) {
            for (int i = 0; i < viewers; i++) {
                sockets.add(connect(push, firstVideo + v, new Listener(true)));
            }
        }
        System.out.printf("%d viewers connected on %d videos%n", sockets.size(), videos);
        Thread.sleep(2000);

        Properties props = new Properties();
        props.put("bootstrap.servers", kafka);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "1");
        long cpuBefore = cpuMillis(pid);
        long[] seqs = new long[videos];
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            long start = System.nanoTime();
            long sent = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    int v = (int) (sent % videos);
                    long videoId = firstVideo + v;
                    long seq = ++seqs[v];
                    // createdAt/ackedAt: the producer's clock when the record is handed over; the ack follows
                    // within ~1 ms on one machine, so this slightly overstates the latency.
                    long now = System.currentTimeMillis();
                    String event = "{\"type\":\"DanmakuCreated\",\"version\":1,\"id\":\"" + (videoId * 1_000_000 + seq)
                            + "\",\"videoId\":" + videoId + ",\"seq\":" + seq
                            + ",\"senderId\":1,\"text\":\"load\",\"playbackMs\":0,\"mode\":\"SCROLL\",\"color\":16777215,"
                            + "\"size\":\"NORMAL\",\"createdAt\":\"" + Instant.ofEpochMilli(now) + "\",\"ackedAt\":" + now
                            + "}";
                    producer.send(new ProducerRecord<>("danmaku.events", Long.toString(videoId), event));
                }
                Thread.sleep(2);
            }
            producer.flush();
            System.out.printf("published %d danmaku in %d s%n", sent, seconds);
        }
        Thread.sleep(2000);
        long cpu = cpuMillis(pid) - cpuBefore;
        Long[] sorted = latencies.toArray(Long[]::new);
        Arrays.sort(sorted);
        System.out.printf(
                "end-to-end latency (ack -> frame) over %d deliveries: p50 %d ms, p99 %d ms, max %d ms%n",
                sorted.length, at(sorted, 0.50), at(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
        System.out.printf(
                "fan-out: %d danmaku delivered for %.2f push-service CPU-seconds = %.0f per CPU-second%n",
                delivered.get(), cpu / 1000.0, delivered.get() / Math.max(0.001, cpu / 1000.0));
        sockets.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        Thread.sleep(2000);

        long heapBefore = heapAfterGc(push, pid);
        List<WebSocket> idleSockets = new ArrayList<>();
        try {
            for (int i = 0; i < idle; i++) {
                idleSockets.add(connect(push, firstVideo + 1000 + i % 100, new Listener(false)));
            }
        } catch (Exception e) {
            System.out.printf("stopped opening idle connections at %d: %s%n", idleSockets.size(), e);
        }
        Thread.sleep(3000);
        long heapAfter = heapAfterGc(push, pid);
        System.out.printf(
                "idle connections: %d, heap %d -> %d bytes after GC: %.1f KiB per connection%n",
                idleSockets.size(),
                heapBefore,
                heapAfter,
                (heapAfter - heapBefore) / 1024.0 / Math.max(1, idleSockets.size()));
        idleSockets.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        System.exit(0);
    }

    static long at(Long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    static WebSocket connect(String push, long videoId, Listener listener) {
        return http.newWebSocketBuilder()
                .buildAsync(URI.create(push.replaceFirst("^http", "ws") + "/ws/v1/videos/" + videoId), listener)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    /** utime + stime of the process, in ms (clock ticks of 100 Hz). */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    static long heapAfterGc(String push, long pid) throws Exception {
        new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").inheritIO().start().waitFor();
        Thread.sleep(500);
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(push + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",[^}]*\\} (\\S+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return (long) sum;
    }

    static final class Listener implements WebSocket.Listener {
        private final boolean measure;
        private final StringBuilder partial = new StringBuilder();

        Listener(boolean measure) {
            this.measure = measure;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            if (measure) {
                partial.append(data);
                if (last) {
                    long now = System.currentTimeMillis();
                    Matcher m = CREATED.matcher(partial);
                    while (m.find()) {
                        latencies.add(now - Long.parseLong(m.group(1)));
                        delivered.incrementAndGet();
                    }
                    partial.setLength(0);
                }
            }
            socket.request(1);
            return null;
        }
    }
}
