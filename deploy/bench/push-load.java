import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Load client for push-service, bounded in connections and time. It opens real WebSockets (raw
 * sockets on one selector thread, see {@link Viewers}) and
 * publishes DanmakuCreated events straight to danmaku.events (acks=all), stamping each with the moment
 * the broker acknowledged it; latency is from that ack to the frame arriving at each viewer. It does not
 * go through the gateway and danmaku-service (so it leaves out the POST's own time).
 *
 * <p>Phases: (1) latency and fan-out at RATE danmaku/s across VIDEOS x VIEWERS for SECONDS (spread as
 * ARRIVALS says, see {@link #roundRobin}); fan-out cost is
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
    /** Latencies in ms, of every {@link #stride}-th delivery. */
    static final java.util.concurrent.atomic.AtomicLongArray latencies =
            new java.util.concurrent.atomic.AtomicLongArray(1 << 20);

    static final AtomicLong delivered = new AtomicLong();
    /** Open viewers the server closed or dropped (a slow viewer is closed with 1013). */
    static final AtomicLong lost = new AtomicLong();
    static final String ACKED_AT = "\"ackedAt\":";
    /**
     * How the RATE danmaku a second are spread over the videos. {@code random} (the default): each goes to a
     * video picked at random, so each video's danmaku arrive independently, as when viewers post on their
     * own (a room's 100 ms batch then holds 0, 1, 2 … of them). {@code round-robin}: video after video in
     * lockstep, so every room gets exactly one per batch: the most frames (and socket writes) per danmaku,
     * the worst case for fan-out cost.
     */
    static final boolean roundRobin = "round-robin".equals(System.getenv().getOrDefault("ARRIVALS", "random"));

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
        stride = 1 + (long) rate * seconds * viewers / latencies.length();
        long firstVideo = 900_000_000L + (System.currentTimeMillis() / 1000 % 100_000) * 100;

        Viewers client = new Viewers(URI.create(push));
        long[] rooms = new long[videos * viewers];
        Arrays.setAll(rooms, i -> firstVideo + i / viewers);
        List<Conn> sockets = client.open(rooms, true, 256, 10, false);
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
        java.util.Map<String, Long> threadsBefore = threadCpu();
        java.util.Map<String, Long> pushThreadsBefore = pushThreadCpu(pid);
        long[] machineBefore = machineTicks();
        long[] seqs = new long[videos];
        java.util.Map<String, Long> threadsAfter;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            long start = System.nanoTime();
            long sent = 0;
            java.util.Random pick = new java.util.Random(42);
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    int v = roundRobin ? (int) (sent % videos) : pick.nextInt(videos);
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
            Thread.sleep(2000);
            threadsAfter = threadCpu(); // before the producer's thread ends
            System.out.printf("published %d danmaku in %d s (%s arrivals)%n", sent, seconds, roundRobin ? "round-robin" : "random");
            System.out.printf("viewers closed by the server during the run: %d%n", lost.get());
        }
        long cpu = cpuMillis(pid) - cpuBefore;
        java.util.Map<String, Long> pushThreadsAfter = pushThreadCpu(pid);
        long sys = sysMillis(pid) - sysBefore;
        long clientCpu = cpuMillis(ProcessHandle.current().pid()) - clientCpuBefore;
        long[] machineAfter = machineTicks();
        double busy = machineAfter[0] - machineBefore[0];
        double total = machineAfter[1] - machineBefore[1];
        long[] sorted = new long[(int) Math.min(latencies.length(), (delivered.get() + stride - 1) / stride)];
        Arrays.setAll(sorted, latencies::get);
        Arrays.sort(sorted);
        System.out.printf(
                "end-to-end latency (ack -> frame) over %d deliveries (every %d-th): p50 %d ms, p99 %d ms, max %d ms%n",
                sorted.length,
                stride, at(sorted, 0.50), at(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1]);
        System.out.printf(
                "fan-out: %d danmaku delivered for %.2f push-service CPU-seconds (%.0f%% of it in the kernel) = %.0f per"
                        + " CPU-second%n",
                delivered.get(),
                cpu / 1000.0,
                100.0 * sys / Math.max(1, cpu),
                delivered.get() / Math.max(0.001, cpu / 1000.0));
        StringBuilder pushSplit = new StringBuilder();
        long compiling = 0;
        for (var thread : pushThreadsAfter.entrySet()) {
            long ms = thread.getValue() - pushThreadsBefore.getOrDefault(thread.getKey(), 0L);
            pushSplit.append(String.format(" %s %.1f s,", thread.getKey(), ms / 1000.0));
            compiling += thread.getKey().equals("JIT compiler") ? ms : 0;
        }
        System.out.printf("  push-service's CPU by thread:%s%n", pushSplit);
        System.out.printf(
                "  without the JIT compiler's threads (still compiling while warming up): %.0f per CPU-second%n",
                delivered.get() / Math.max(0.001, (cpu - compiling) / 1000.0));
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
        StringBuilder split = new StringBuilder();
        threadsAfter.forEach((name, nanos) -> split.append(String.format(
                " %s %.2f,", name, (nanos - threadsBefore.getOrDefault(name, 0L)) / 1e6 / window)));
        System.out.printf(
                "  the load client's cores by thread:%s the rest (JIT, GC) %.2f%n",
                split,
                (clientCpu - threadsAfter.entrySet().stream()
                                        .mapToLong(e -> e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L))
                                        .sum()
                                / 1e6)
                        / window);
        client.closeAll(sockets);
        Thread.sleep(1000);

        long heapBefore = heapAfterGc(push, pid);
        long[] idleRooms = new long[idle];
        Arrays.setAll(idleRooms, i -> firstVideo + 1000 + i % 100);
        List<Conn> idleSockets = client.open(idleRooms, false, 256, 15, true);
        Thread.sleep(3000);
        long heapAfter = heapAfterGc(push, pid);
        System.out.printf(
                "idle connections: %d, heap %d -> %d bytes after GC: %.1f KiB per connection%n",
                idleSockets.size(),
                heapBefore,
                heapAfter,
                (heapAfter - heapBefore) / 1024.0 / Math.max(1, idleSockets.size()));
        client.closeAll(idleSockets);
        System.exit(0);
    }

    /** CPU time of this JVM's threads, by kind: the viewers, the Kafka producer, everything else. */
    static java.util.Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> byKind = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            String kind = info.getThreadName().startsWith("viewers")
                    ? "viewers"
                    : info.getThreadName().startsWith("kafka-producer") ? "kafka-producer" : "other threads";
            byKind.merge(kind, Math.max(0, threads.getThreadCpuTime(info.getThreadId())), Long::sum);
        }
        return byKind;
    }

    /** push-service's CPU in ms by kind of thread, from /proc/PID/task/TID/{comm,stat} (threads that ended drop out). */
    static java.util.Map<String, Long> pushThreadCpu(long pid) throws IOException {
        java.util.Map<String, Long> byKind = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ms = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime + stime, 100 Hz
                    String kind = name.startsWith("reactor-http") || name.startsWith("http-nio")
                                    || name.startsWith("ForkJoinPool")
                            ? "event loops and writers"
                            : name.startsWith("danmaku-feed")
                                    ? "Kafka feed"
                                    : name.startsWith("room-clock")
                                            ? "room clock"
                                            : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")
                                                    ? "JIT compiler"
                                                    : name.startsWith("GC ") ? "GC" : "other";
                    byKind.merge(kind, ms, Long::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read
                }
            }
        }
        return byKind;
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

    /** Records one delivery: called on the viewers' thread only. */
    static void record(long now, long ackedAt) {
        long n = delivered.getAndIncrement();
        if (n % stride == 0 && n / stride < latencies.length()) {
            latencies.set((int) (n / stride), now - ackedAt);
        }
    }

    /** Every stride-th delivery's latency is kept, so a hot room's millions still fit the array evenly. */
    static volatile long stride = 1;

    /**
     * Raw WebSocket viewers on one NIO selector thread: each does the HTTP upgrade itself and parses the
     * server's (unmasked) frames just enough to find the {@code ackedAt} of every item, answer pings and
     * honour a close. The JDK WebSocket client it replaces needed 0.77 cores for 2,000 viewers on this
     * 2-core machine, more than push-service itself, so the latency it measured was mostly waiting for a core.
     */
    static final class Viewers implements Runnable {
        private static final byte[] ACKED = ACKED_AT.getBytes(StandardCharsets.US_ASCII);
        private static final byte[] CLOSE = {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8};

        private final Selector selector;
        private final InetSocketAddress address;
        private final String hostHeader;
        private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final java.util.Set<Conn> handshaking = new java.util.HashSet<>();
        private ByteBuffer in = ByteBuffer.allocate(256 * 1024);

        Viewers(URI push) throws IOException {
            this.selector = Selector.open();
            this.address = new InetSocketAddress(push.getHost(), push.getPort());
            this.hostHeader = push.getHost() + ":" + push.getPort();
            Thread thread = new Thread(this, "viewers");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Opens one viewer per video id, at most {@code inFlight} handshakes at a time, each failing after
         * {@code timeoutSeconds}; returns the open ones and prints how many failed and why.
         */
        List<Conn> open(long[] videoIds, boolean measure, int inFlight, int timeoutSeconds, boolean progress)
                throws InterruptedException {
            List<Conn> opened = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.Map<String, Long> reasons = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicLong failed = new AtomicLong();
            java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(inFlight);
            long started = System.nanoTime();
            for (int i = 0; i < videoIds.length; i++) {
                if (progress && i % 2000 == 0 && i > 0) {
                    System.out.printf(
                            "  %d handshakes started, %d open, %d failed after %.1f s%n",
                            i, opened.size(), failed.get(), (System.nanoTime() - started) / 1e9);
                }
                slots.acquire();
                Conn conn = new Conn(videoIds[i], measure, System.nanoTime() + timeoutSeconds * 1_000_000_000L);
                conn.done = error -> {
                    if (error == null) {
                        opened.add(conn);
                    } else {
                        failed.incrementAndGet();
                        reasons.merge(error, 1L, Long::sum);
                    }
                    slots.release();
                };
                run(() -> start(conn));
            }
            slots.acquire(inFlight);
            if (progress || failed.get() > 0) {
                System.out.printf(
                        "opened %d of %d connections in %.1f s, %d failed %s%n",
                        opened.size(), videoIds.length, (System.nanoTime() - started) / 1e9, failed.get(), reasons);
            }
            return new ArrayList<>(opened);
        }

        /** Sends a close frame (1000) on each and closes the sockets a second later. */
        void closeAll(List<Conn> conns) throws InterruptedException {
            run(() -> conns.forEach(c -> write(c, CLOSE.clone())));
            Thread.sleep(1000);
            run(() -> conns.forEach(this::close));
        }

        private void run(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        private void start(Conn conn) {
            try {
                conn.channel = SocketChannel.open();
                conn.channel.configureBlocking(false);
                conn.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                conn.key = conn.channel.register(selector, 0, conn);
                handshaking.add(conn);
                if (conn.channel.connect(address)) {
                    connected(conn);
                } else {
                    conn.key.interestOps(SelectionKey.OP_CONNECT);
                }
            } catch (IOException e) {
                fail(conn, e.getClass().getSimpleName());
            }
        }

        private void connected(Conn conn) throws IOException {
            conn.key.interestOps(SelectionKey.OP_READ);
            write(conn, ("GET /ws/v1/videos/" + conn.videoId + " HTTP/1.1\r\nHost: " + hostHeader
                            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }

        private void fail(Conn conn, String reason) {
            if (conn.upgraded && conn.channel.isOpen()) {
                lost.incrementAndGet();
            }
            if (handshaking.remove(conn)) {
                conn.done.accept(reason);
            }
            close(conn);
        }

        private void close(Conn conn) {
            try {
                if (conn.channel != null) {
                    conn.channel.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void run() {
            long nextTimeoutCheck = System.nanoTime();
            while (true) {
                try {
                    selector.select(200);
                    for (Runnable task; (task = tasks.poll()) != null; ) {
                        task.run();
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        Conn conn = (Conn) key.attachment();
                        try {
                            if (!key.isValid()) {
                                continue;
                            }
                            if (key.isConnectable()) {
                                conn.channel.finishConnect();
                                connected(conn);
                            }
                            if (key.isValid() && key.isWritable()) {
                                flush(conn);
                            }
                            if (key.isValid() && key.isReadable()) {
                                read(conn);
                            }
                        } catch (IOException | java.nio.channels.CancelledKeyException e) {
                            fail(conn, e.getClass().getSimpleName());
                        }
                    }
                    selector.selectedKeys().clear();
                    long now = System.nanoTime();
                    if (now >= nextTimeoutCheck) {
                        nextTimeoutCheck = now + 500_000_000L;
                        for (Conn conn : List.copyOf(handshaking)) {
                            if (now > conn.deadline) {
                                fail(conn, "timeout");
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    e.printStackTrace();
                }
            }
        }

        private void write(Conn conn, byte[] bytes) {
            try {
                if (conn.out == null) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    conn.channel.write(buffer);
                    if (buffer.hasRemaining()) {
                        conn.out = buffer;
                        conn.key.interestOps(conn.key.interestOps() | SelectionKey.OP_WRITE);
                    }
                } else {
                    ByteBuffer more = ByteBuffer.allocate(conn.out.remaining() + bytes.length);
                    conn.out = more.put(conn.out).put(bytes).flip();
                }
            } catch (IOException | java.nio.channels.CancelledKeyException e) {
                fail(conn, e.getClass().getSimpleName());
            }
        }

        private void flush(Conn conn) throws IOException {
            conn.channel.write(conn.out);
            if (!conn.out.hasRemaining()) {
                conn.out = null;
                conn.key.interestOps(SelectionKey.OP_READ);
            }
        }

        private void read(Conn conn) throws IOException {
            in.clear();
            if (conn.pending != null) {
                if (conn.pending.length > in.capacity() / 2) {
                    in = ByteBuffer.allocate(in.capacity() * 2); // a frame bigger than the buffer
                }
                in.put(conn.pending);
                conn.pending = null;
            }
            if (conn.channel.read(in) < 0) {
                fail(conn, "closed by the server");
                return;
            }
            byte[] a = in.array();
            int pos = 0;
            int end = in.position();
            if (!conn.upgraded) {
                int headerEnd = indexOf(a, 0, end, HEADER_END);
                if (headerEnd < 0) {
                    conn.pending = Arrays.copyOf(a, end);
                    return;
                }
                if (!new String(a, 0, Math.min(12, end), StandardCharsets.US_ASCII).equals("HTTP/1.1 101")) {
                    fail(conn, new String(a, 0, Math.min(12, end), StandardCharsets.US_ASCII));
                    return;
                }
                conn.upgraded = true;
                handshaking.remove(conn);
                conn.done.accept(null);
                pos = headerEnd + HEADER_END.length;
            }
            long now = System.currentTimeMillis();
            while (end - pos >= 2) {
                int b0 = a[pos] & 0xff;
                int b1 = a[pos + 1] & 0x7f;
                long length = b1;
                int header = 2;
                if (b1 == 126) {
                    if (end - pos < 4) {
                        break;
                    }
                    length = ((a[pos + 2] & 0xff) << 8) | (a[pos + 3] & 0xff);
                    header = 4;
                } else if (b1 == 127) {
                    if (end - pos < 10) {
                        break;
                    }
                    length = 0;
                    for (int i = 2; i < 10; i++) {
                        length = (length << 8) | (a[pos + i] & 0xff);
                    }
                    header = 10;
                }
                if (end - pos - header < length) {
                    break;
                }
                int from = pos + header;
                int n = (int) length;
                pos = from + n;
                boolean fin = (b0 & 0x80) != 0;
                switch (b0 & 0x0f) {
                    case 0, 1 -> { // text, or a continuation of one
                        if (!conn.measure) {
                            break;
                        }
                        if (fin && conn.messageLength == 0) {
                            scan(a, from, from + n, now);
                        } else {
                            if (conn.message == null || conn.message.length < conn.messageLength + n) {
                                conn.message = Arrays.copyOf(
                                        conn.message == null ? new byte[0] : conn.message,
                                        Math.max(4096, 2 * (conn.messageLength + n)));
                            }
                            System.arraycopy(a, from, conn.message, conn.messageLength, n);
                            conn.messageLength += n;
                            if (fin) {
                                scan(conn.message, 0, conn.messageLength, now);
                                conn.messageLength = 0;
                            }
                        }
                    }
                    case 8 -> {
                        lost.incrementAndGet();
                        write(conn, CLOSE.clone());
                        close(conn);
                        return;
                    }
                    case 9 -> { // ping: a pong with the same payload, masked with a zero key
                        byte[] pong = new byte[6 + n];
                        pong[0] = (byte) 0x8A;
                        pong[1] = (byte) (0x80 | n);
                        System.arraycopy(a, from, pong, 6, n);
                        write(conn, pong);
                    }
                    default -> {
                        // pong or binary: nothing to do
                    }
                }
            }
            if (pos < end) {
                conn.pending = Arrays.copyOfRange(a, pos, end);
            }
        }

        private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

        private static void scan(byte[] a, int from, int to, long now) {
            for (int at = indexOf(a, from, to, ACKED); at >= 0; at = indexOf(a, at, to, ACKED)) {
                at += ACKED.length;
                long ackedAt = 0;
                for (; at < to && a[at] >= '0' && a[at] <= '9'; at++) {
                    ackedAt = ackedAt * 10 + (a[at] - '0');
                }
                record(now, ackedAt);
            }
        }

        private static int indexOf(byte[] a, int from, int to, byte[] needle) {
            outer:
            for (int i = from; i <= to - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (a[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** One viewer; touched by the viewers' thread only, after it was handed over. */
    static final class Conn {
        final long videoId;
        final boolean measure;
        final long deadline;
        java.util.function.Consumer<String> done;
        SocketChannel channel;
        SelectionKey key;
        boolean upgraded;
        byte[] pending;
        ByteBuffer out;
        byte[] message;
        int messageLength;

        Conn(long videoId, boolean measure, long deadline) {
            this.videoId = videoId;
            this.measure = measure;
            this.deadline = deadline;
        }
    }
}
