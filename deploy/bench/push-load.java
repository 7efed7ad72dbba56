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
 * delivered danmaku per push-service CPU-second, from /proc/PID/stat (utime + stime, and the kernel's share).
 * It also prints push-service's own ack-to-flush mean (its barrage.danmaku.delivery.latency timer), and the
 * CPU of push-service, of this client and of the whole machine over the window: on a shared machine the
 * latency includes waiting for a core. (2) idle connections: opens IDLE more sockets, at most 256
 * handshakes in flight, each with its own time-out, counting failures rather than stopping at the first;
 * forces a GC (jcmd PID GC.run) before and after, and reports heap growth per connection from
 * jvm_memory_used_bytes{area="heap"}. push-service needs an open-files limit above IDLE + VIEWERS.
 *
 * <p>Usage: java -cp CLASSPATH push-load.java PUSH_URL KAFKA_BOOTSTRAP PUSH_PID [RATE VIDEOS VIEWERS SECONDS IDLE]
 */
public class PushLoad {

    static final HttpClient http = HttpClient.newHttpClient();
    /** Latencies in ms, one per delivery; the client's own CPU is measured too, so it is kept cheap. */
    static final java.util.concurrent.atomic.AtomicLongArray latencies =
            new java.util.concurrent.atomic.AtomicLongArray(1 << 20);

    static final AtomicLong delivered = new AtomicLong();
    static final String ACKED_AT = "\"ackedAt\":";

    public static void main(String[] args) throws Exception {
        // The Kafka client logs at DEBUG by default here, which would cost this client CPU.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
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
        double[] flushedBefore = flushLatency(push);
        long cpuBefore = cpuMillis(pid);
        long sysBefore = sysMillis(pid);
        long clientCpuBefore = cpuMillis(ProcessHandle.current().pid());
        long[] machineBefore = machineTicks();
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
        long sys = sysMillis(pid) - sysBefore;
        long clientCpu = cpuMillis(ProcessHandle.current().pid()) - clientCpuBefore;
        long[] machineAfter = machineTicks();
        double busy = machineAfter[0] - machineBefore[0];
        double total = machineAfter[1] - machineBefore[1];
        long[] sorted = new long[(int) Math.min(latencies.length(), delivered.get())];
        Arrays.setAll(sorted, latencies::get);
        Arrays.sort(sorted);
        System.out.printf(
                "end-to-end latency (ack -> frame) over %d deliveries: p50 %d ms, p99 %d ms, max %d ms%n",
                sorted.length, at(sorted, 0.50), at(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
        System.out.printf(
                "fan-out: %d danmaku delivered for %.2f push-service CPU-seconds (%.0f%% of it in the kernel) = %.0f per"
                        + " CPU-second%n",
                delivered.get(),
                cpu / 1000.0,
                100.0 * sys / Math.max(1, cpu),
                delivered.get() / Math.max(0.001, cpu / 1000.0));
        double[] flushedAfter = flushLatency(push);
        System.out.printf(
                "of which in push-service (ack -> frame handed to the viewers' writers, its own metric): mean %.0f ms%n",
                1000 * (flushedAfter[0] - flushedBefore[0]) / Math.max(1, flushedAfter[1] - flushedBefore[1]));
        long window = (seconds + 2) * 1000L;
        System.out.printf(
                "CPU over the %d s window: push-service %.2f cores, this load client %.2f cores, whole machine %.0f%% of"
                        + " %d cores busy%n",
                seconds + 2,
                cpu / (double) window,
                clientCpu / (double) window,
                100 * busy / Math.max(1, total),
                Runtime.getRuntime().availableProcessors());
        sockets.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        Thread.sleep(2000);

        long heapBefore = heapAfterGc(push, pid);
        List<WebSocket> idleSockets = openIdle(push, firstVideo + 1000, idle);
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

    /**
     * Opens {@code count} idle sockets with at most 256 handshakes in flight, each bounded by its own
     * time-out, so one stalled handshake neither blocks the rest nor ends the phase; failures are counted.
     */
    static List<WebSocket> openIdle(String push, long firstVideo, int count) throws InterruptedException {
        List<WebSocket> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong failed = new AtomicLong();
        java.util.Map<String, Long> reasons = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            if (i % 2000 == 0 && i > 0) {
                System.out.printf(
                        "  %d handshakes started, %d open, %d failed after %.1f s%n",
                        i, opened.size(), failed.get(), (System.nanoTime() - started) / 1e9);
            }
            inFlight.acquire();
            http.newWebSocketBuilder()
                    .connectTimeout(java.time.Duration.ofSeconds(10))
                    .buildAsync(
                            URI.create(push.replaceFirst("^http", "ws") + "/ws/v1/videos/" + (firstVideo + i % 100)),
                            new Listener(false))
                    .orTimeout(15, TimeUnit.SECONDS)
                    .whenComplete((socket, error) -> {
                        if (socket != null) {
                            opened.add(socket);
                        } else {
                            failed.incrementAndGet();
                            Throwable cause = error.getCause() != null ? error.getCause() : error;
                            reasons.merge(cause.getClass().getSimpleName(), 1L, Long::sum);
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(256);
        System.out.printf(
                "opened %d of %d idle connections in %.1f s, %d failed %s%n",
                opened.size(), count, (System.nanoTime() - started) / 1e9, failed.get(), reasons);
        return new ArrayList<>(opened);
    }

    /** Busy and total jiffies of the whole machine, from /proc/stat. */
    static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new long[] {total - idle, total};
    }

    static long at(long[] sorted, double q) {
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

    /** Sum (s) and count of push-service's barrage.danmaku.delivery.latency timer. */
    static double[] flushLatency(String push) throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(push + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        double[] sumCount = new double[2];
        Matcher m = Pattern.compile("(?m)^barrage_danmaku_delivery_latency_seconds_(sum|count)(?:\\{[^}]*\\})? (\\S+)$")
                .matcher(metrics);
        while (m.find()) {
            sumCount[m.group(1).equals("sum") ? 0 : 1] += Double.parseDouble(m.group(2));
        }
        return sumCount;
    }

    /** stime of the process, in ms. */
    static long sysMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[12]) * 10;
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
                    for (int at = partial.indexOf(ACKED_AT); at >= 0; at = partial.indexOf(ACKED_AT, at)) {
                        at += ACKED_AT.length();
                        long ackedAt = 0;
                        for (char c; at < partial.length() && (c = partial.charAt(at)) >= '0' && c <= '9'; at++) {
                            ackedAt = ackedAt * 10 + (c - '0');
                        }
                        long n = delivered.getAndIncrement();
                        if (n < latencies.length()) {
                            latencies.set((int) n, now - ackedAt);
                        }
                    }
                    partial.setLength(0);
                }
            }
            socket.request(1);
            return null;
        }
    }
}
