import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * An open-loop load client: sends requests at a fixed rate whatever the server's answers take (a slow
 * answer never delays the next request, unlike wrk's closed loop), on one event loop and a bounded
 * connection pool, and measures each latency from the moment the request was due (so waiting for a
 * connection counts). Prints the offered and achieved rates, the statuses and p50/p99/max.
 *
 * <p>Usage: {@code java -cp <reactor-netty jars> OpenLoad.java PLAN-FILE RATE SECONDS [WARMUP]}. The plan (a
 * properties file, so no secret is on a command line): {@code url}, {@code connections} (64), and
 * {@code header.<Name>=value} for fixed headers; for danmaku POSTs {@code danmaku.tokens} (a file of
 * session tokens, one per line: a random one as the bearer of each POST) or {@code danmaku.users} (a count:
 * a random {@code X-User-Id} up to it, for a service reached straight), and {@code danmaku.videos} (a file
 * of video ids): then each request POSTs a danmaku to {@code url + /api/v1/videos/<id>/danmaku}.
 * {@code watch=label:pid[+pid…],…} names processes whose CPU time, context switches and syscalls over the
 * measured window (after WARMUP seconds at the same rate, default 0) are printed per answered request
 * ({@code load:self} is this client).
 */
public class OpenLoad {
    public static void main(String[] args) throws Exception {
        Properties plan = new Properties();
        try (var in = Files.newBufferedReader(Path.of(args[0]))) {
            plan.load(in);
        }
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        Map<String, long[]> watched = new TreeMap<>();
        for (String entry : plan.getProperty("watch", "").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split(":");
            watched.put(parts[0], parts[1].equals("self")
                    ? new long[] {ProcessHandle.current().pid()}
                    : Arrays.stream(parts[1].split("\\+")).mapToLong(Long::parseLong).toArray());
        }
        String url = plan.getProperty("url");
        int connections = Integer.parseInt(plan.getProperty("connections", "64"));
        Map<String, String> fixed = new TreeMap<>();
        plan.stringPropertyNames().stream()
                .filter(k -> k.startsWith("header."))
                .forEach(k -> fixed.put(k.substring("header.".length()), plan.getProperty(k)));
        List<String> tokens = plan.containsKey("danmaku.tokens")
                ? Files.readAllLines(Path.of(plan.getProperty("danmaku.tokens")))
                : List.of();
        int users = Integer.parseInt(plan.getProperty("danmaku.users", "0"));
        List<String> videos = plan.containsKey("danmaku.videos")
                ? Files.readAllLines(Path.of(plan.getProperty("danmaku.videos")))
                : List.of();
        boolean danmaku = !videos.isEmpty();

        // connections opened over the whole run: about `connections` when keep-alive works
        AtomicInteger opened = new AtomicInteger();
        HttpClient client = HttpClient.create(ConnectionProvider.builder("load")
                        .maxConnections(connections)
                        .pendingAcquireMaxCount(-1)
                        .pendingAcquireTimeout(Duration.ofSeconds(60))
                        .build())
                .runOn(LoopResources.create("load", 1, true))
                .responseTimeout(Duration.ofSeconds(30))
                .doOnChannelInit((observer, channel, address) -> opened.incrementAndGet())
                .headers(h -> fixed.forEach(h::set));

        int warm = rate * warmup;
        int total = rate * seconds + warm;
        long[] latencies = new long[rate * seconds];
        AtomicInteger done = new AtomicInteger();
        AtomicLong errors = new AtomicLong();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        Map<String, long[]> before = null;
        long measuredStart = start;
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            if (i == warm) {
                measuredStart = System.nanoTime();
                done.set(0);
                statuses.clear();
                errors.set(0);
                before = Proc.snapshot(watched);
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(wait, 500_000));
            }
            HttpClient.ResponseReceiver<?> request;
            if (danmaku) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                String video = videos.get(random.nextInt(videos.size()));
                byte[] body = ("{\"text\":\"floor " + i + "\",\"playbackMs\":" + random.nextInt(9000) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                HttpClient c = client.headers(h -> {
                    h.set("Content-Type", "application/json");
                    h.setInt("Content-Length", body.length);
                    if (!tokens.isEmpty()) {
                        h.set("Authorization", "Bearer " + tokens.get(random.nextInt(tokens.size())));
                    } else {
                        h.set("X-User-Id", Integer.toString(1 + random.nextInt(users)));
                    }
                });
                request = c.post()
                        .uri(url + "/api/v1/videos/" + video + "/danmaku")
                        .send(Mono.just(Unpooled.wrappedBuffer(body)));
            } else {
                request = client.get().uri(url);
            }
            // the body is read to its end: a response whose body is left unread makes Reactor Netty close the
            // connection instead of returning it to the pool, so every request would open a new one
            request.responseSingle((response, content) -> content.asByteArray()
                            .then(Mono.just(response.status().code())))
                    .subscribe(
                            status -> {
                                statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                                record(latencies, done, System.nanoTime() - due);
                            },
                            error -> {
                                errors.incrementAndGet();
                                record(latencies, done, System.nanoTime() - due);
                            });
        }
        long sentEnd = System.nanoTime();
        long deadline = sentEnd + 30_000_000_000L;
        int measured = total - warm;
        while (done.get() < measured && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long end = System.nanoTime();
        Map<String, long[]> after = Proc.snapshot(watched);
        int n = Math.min(done.get(), latencies.length);
        total = measured;
        start = measuredStart;
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        long ok = statuses.entrySet().stream()
                .filter(e -> e.getKey() / 100 == 2)
                .mapToLong(e -> e.getValue().get())
                .sum();
        System.out.printf(
                "offered %d/s for %d s (sent in %.1f s), answered %d of %d in %.1f s, 2xx %.0f/s%n",
                rate, seconds, (sentEnd - start) / 1e9, n, total, (end - start) / 1e9, ok / ((sentEnd - start) / 1e9));
        statuses.forEach((status, count) -> System.out.printf("status %d: %d%n", status, count.get()));
        if (errors.get() > 0 || n < total) {
            System.out.printf("errors %d, unanswered %d%n", errors.get(), total - n);
        }
        if (n > 0) {
            System.out.printf(
                    "latency from due time: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    sorted[n / 2] / 1e6, sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6, sorted[n - 1] / 1e6);
        }
        System.out.printf("ok %d%n", ok);
        System.out.printf("connections opened %d (pool of %d)%n", opened.get(), connections);
        long tick = 100; // USER_HZ
        for (String label : watched.keySet()) {
            long[] b = before.get(label);
            long[] a = after.get(label);
            double per = Math.max(1, ok);
            System.out.printf(
                    "proc %s cpu_ms/op %.4f ctxsw/op %.3f syscalls/op %.3f cpu_cores %.3f%n",
                    label,
                    (a[0] - b[0]) * 1000.0 / tick / per,
                    (a[1] - b[1]) / per,
                    (a[2] - b[2]) / per,
                    (a[0] - b[0]) / (double) tick / ((end - start) / 1e9));
        }
        System.exit(0);
    }

    private static void record(long[] latencies, AtomicInteger done, long nanos) {
        int slot = done.getAndIncrement();
        if (slot < latencies.length) {
            latencies[slot] = nanos;
        }
    }

    /** CPU ticks, context switches and syscalls of processes, from /proc. */
    static final class Proc {
        static Map<String, long[]> snapshot(Map<String, long[]> watched) {
            Map<String, long[]> out = new TreeMap<>();
            watched.forEach((label, pids) -> {
                long[] sum = new long[3];
                for (long pid : pids) {
                    long[] one = of(pid);
                    for (int i = 0; i < 3; i++) {
                        sum[i] += one[i];
                    }
                }
                out.put(label, sum);
            });
            return out;
        }

        private static long[] of(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                long ctx = 0;
                try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                    for (Path task : tasks.toList()) {
                        try {
                            for (String line : Files.readAllLines(task.resolve("status"))) {
                                if (line.endsWith("ctxt_switches:") || line.contains("ctxt_switches:")) {
                                    ctx += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                                }
                            }
                        } catch (java.io.IOException gone) {
                            // a thread that ended meanwhile
                        }
                    }
                }
                long sys = 0;
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
                    if (line.startsWith("syscr:") || line.startsWith("syscw:")) {
                        sys += Long.parseLong(line.substring(6).strip());
                    }
                }
                return new long[] {cpu, ctx, sys};
            } catch (Exception e) {
                return new long[3];
            }
        }
    }
}
