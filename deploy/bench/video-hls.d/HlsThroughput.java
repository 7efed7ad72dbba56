import io.minio.GetPresignedObjectUrlArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HLS delivery throughput on the product's path against the same bytes straight from the S3 store, in one
 * run, phases alternating (ABBA) so drift on a shared machine hits all alike. A client plays whole
 * renditions, as a viewer does: the master and a rung's media playlist through the gateway, then that
 * rung's init segment and every media segment from the URLs the playlist gives. Every measured phase is the
 * same work: each client plays every rung the same number of times in the same order (a random rung per
 * session made the two sides move different mixes of small and large segments, and a phase cut at a
 * deadline stopped each side at a different point), so both move the same bytes, and the rate is those
 * bytes over the time until the last client is done. The warm-up plays both sides and runs playlist-only
 * sessions, so the playlist paths are compiled as in a service that has been serving for a while.
 *
 * <ul>
 *   <li><b>presigned</b> (video-service in {@code stream-mode: redirect}, production's): the playlists come
 *       from video-service through the gateway, signed as they are served; the segments straight from the
 *       store.
 *   <li><b>proxy</b>: the same segments through the gateway and video-service
 *       ({@code /api/v1/videos/{id}/hls/{rung}/{file}}).
 *   <li><b>direct</b>: the same objects from the store through presigned URLs made once up front: the peer.
 * </ul>
 *
 * <p>CPU per process from /proc/&lt;pid&gt;/stat (GATEWAY_PID, VIDEO_PID, S3_PID, and this JVM as
 * "client"), per MiB delivered.
 *
 * <p>args: gateway URL, video-service URL, S3 endpoint, bucket, seconds per phase, clients, source file.
 * Environment: BENCH_SERVICE_TOKEN (upload through video-service), BENCH_S3_ACCESS_KEY/SECRET_KEY
 * (presign, list), BENCH_VIDEO_ID (reuse a video an earlier run transcoded), ROUNDS (3), WARMUP (10 s).
 */
public class HlsThroughput {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private static final String OWNER = "900003";
    private static final Pattern URI_ATTR = Pattern.compile("URI=\"([^\"]+)\"");
    private static final long TICK_NS = 10_000_000L; // USER_HZ = 100 on Linux

    record Segment(String rung, String file, String url) {}

    record Rendition(String rung, String playlistUrl, List<Segment> segments) {}

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String video = args[1];
        String s3 = args[2];
        String bucket = args[3];
        int seconds = Integer.parseInt(args[4]);
        int clients = Integer.parseInt(args[5]);
        Path source = Path.of(args[6]);

        String reuse = System.getenv("BENCH_VIDEO_ID");
        long id = reuse == null || reuse.isBlank() ? upload(video, source) : Long.parseLong(reuse);
        long waited = System.nanoTime();
        awaitLadder(video, id);
        System.out.printf("video %d: ladder complete %.0f s after upload%n", id, (System.nanoTime() - waited) / 1e9);

        String master = gateway + "/api/v1/videos/" + id + "/hls/master.m3u8";
        List<Rendition> renditions = renditions(master);
        MinioClient minio = MinioClient.builder()
                .endpoint(s3)
                .credentials(System.getenv("BENCH_S3_ACCESS_KEY"), System.getenv("BENCH_S3_SECRET_KEY"))
                .build();
        Map<String, String> keys = objectKeys(minio, bucket, id);
        // the peer: every segment of every rung, presigned once
        Map<String, List<String>> direct = new LinkedHashMap<>();
        long totalBytes = 0;
        int count = 0;
        Map<String, Long> ladderBytes = new HashMap<>();
        for (Rendition r : renditions) {
            List<String> urls = new ArrayList<>();
            for (Segment s : r.segments()) {
                String key = keys.get(r.rung() + "/" + s.file());
                if (key == null) {
                    throw new IllegalStateException("no object for " + r.rung() + "/" + s.file() + " among " + keys.keySet());
                }
                urls.add(minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                        .method(Method.GET)
                        .bucket(bucket)
                        .object(key)
                        .expiry(2, TimeUnit.HOURS)
                        .build()));
                count++;
            }
            direct.put(r.rung(), urls);
            for (String u : urls) {
                long size = get(u).length;
                totalBytes += size;
                ladderBytes.merge(r.rung(), size, Long::sum);
            }
        }
        boolean presignedPlaylists = renditions.stream()
                .flatMap(r -> r.segments().stream())
                .allMatch(s -> s.url().startsWith(s3));
        System.out.printf("rungs %s; %d files (segments and init), %.0f KiB on average; playlists give %s segment URLs%n",
                renditions.stream().map(Rendition::rung).toList(), count, totalBytes / 1024.0 / count,
                presignedPlaylists ? "presigned object-store" : "relative (proxied)");

        Function<Rendition, List<String>> productUrls = r -> freshSegmentUrls(master, r);
        Function<Rendition, List<String>> proxyUrls = r -> r.segments().stream()
                .map(s -> gateway + "/api/v1/videos/" + id + "/hls/" + r.rung() + "/" + s.file())
                .toList();
        Function<Rendition, List<String>> directUrls = r -> direct.get(r.rung());
        boolean proxyWorks = get(proxyUrls.apply(renditions.getFirst()).getFirst(), true) != null;

        Map<String, long[]> pids = new LinkedHashMap<>();
        for (String name : new String[] {"gateway", "video", "s3"}) {
            String pid = System.getenv(name.toUpperCase() + "_PID");
            if (pid != null && !pid.isBlank()) {
                pids.put(name, new long[] {Long.parseLong(pid)});
            }
        }
        pids.put("client", new long[] {ProcessHandle.current().pid()}); // this JVM: the viewers' side

        String first = presignedPlaylists ? "presigned" : "product (proxy)";
        // warm-up, time-bounded: JIT, connection pools; its direct rate sizes the measured phases
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", "10"));
        run(renditions, productUrls, clients, warmup, pids);
        // the playlist paths get a few dozen requests a second from the phases, the store thousands: warm
        // them as a serving gateway and video-service are, so the JIT is not still compiling them meanwhile
        runSessions(renditions, productUrls, clients, Math.max(1, warmup / 2), pids);
        Result warm = run(renditions, directUrls, clients, warmup, pids);
        if (presignedPlaylists && proxyWorks) {
            run(renditions, proxyUrls, clients, Math.max(1, warmup / 2), pids);
        }
        // each measured phase moves the same bytes: every client plays every rung `passes` times, client c
        // starting at rung c; so both sides have the same mix of rungs and end together
        long passBytes = clients * renditions.stream().mapToLong(r -> ladderBytes.get(r.rung())).sum();
        int passes = (int) Math.max(1, Math.round(warm.rate() * 1048576.0 * seconds / passBytes));
        Map<String, List<Result>> results = new LinkedHashMap<>();
        int roundCount = Integer.parseInt(System.getenv().getOrDefault("ROUNDS", "3"));
        results.put(first, new ArrayList<>());
        results.put("direct", new ArrayList<>());
        for (int round = 0; round < roundCount; round++) {
            // ABBA: which side goes first alternates, so a machine slowing down or speeding up within a
            // round does not favour one side
            if (round % 2 == 0) {
                results.get(first).add(play(renditions, productUrls, clients, passes, pids));
                results.get("direct").add(play(renditions, directUrls, clients, passes, pids));
            } else {
                results.get("direct").add(play(renditions, directUrls, clients, passes, pids));
                results.get(first).add(play(renditions, productUrls, clients, passes, pids));
            }
            if (presignedPlaylists && proxyWorks) {
                results.computeIfAbsent("proxy", k -> new ArrayList<>())
                        .add(play(renditions, proxyUrls, clients, 1, pids));
            }
        }
        System.out.printf("%d clients, each plays every rung %d times a phase (%.0f MiB; proxy once), %d rounds "
                        + "after %d s warm-up, %d CPUs%n",
                clients, passes, passes * passBytes / 1048576.0, roundCount, warmup,
                Runtime.getRuntime().availableProcessors());
        double directRate = median(results.get("direct"));
        for (var e : results.entrySet()) {
            List<Result> rounds = e.getValue();
            List<Result> directs = results.get("direct");
            StringBuilder paired = new StringBuilder();
            for (int i = 0; i < rounds.size(); i++) {
                paired.append(String.format("%s%.2f", i == 0 ? "" : ", ", rounds.get(i).rate() / directs.get(i).rate()));
            }
            System.out.printf("%-16s %8.1f MiB/s median (rounds %s)  ratio to direct %.2f (per round %s)  CPU ms/MiB: %s%n",
                    e.getKey(), median(rounds),
                    rounds.stream().map(r -> String.format("%.1f", r.rate())).toList(),
                    median(rounds) / directRate, paired, cpuPerMiB(rounds, pids.keySet()));
        }
        // where the product's path spends beyond the store: a viewer's session without its segments
        Result sessions = runSessions(renditions, productUrls, clients, seconds, pids);
        double mibPerSession = totalBytes / 1048576.0 / count
                * renditions.stream().mapToInt(r -> r.segments().size()).average().orElse(0);
        System.out.printf("sessions only (master + rung playlist through the gateway, no segment): %.0f/s, "
                        + "CPU ms per session: %s; a session's segments hold %.1f MiB on average%n",
                sessions.rate(), cpuPer(sessions, pids.keySet(), sessions.mib()), mibPerSession);
        if (presignedPlaylists && !proxyWorks) {
            System.out.println("proxy: the segment endpoint does not answer 200 in this stream mode; run against a proxy-mode stack");
        }
    }

    record Result(double rate, double mib, Map<String, Long> ticks, int failures) {}

    /** Plays random whole rungs with {@code clients} threads for {@code seconds}; MiB/s of segment bytes. */
    private static Result run(
            List<Rendition> renditions, Function<Rendition, List<String>> urls, int clients, int seconds,
            Map<String, long[]> pids) throws Exception {
        AtomicLong bytes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Span span = across(clients, pids, client -> {
            while (System.nanoTime() < end) {
                Rendition r = renditions.get(ThreadLocalRandom.current().nextInt(renditions.size()));
                fetchRung(urls, r, end, bytes, failures);
            }
        });
        return segmentRate(span, bytes, failures);
    }

    /**
     * A fixed amount of work: client c plays every rung {@code passes} times, in order from rung c; MiB/s of
     * segment bytes over the time until the last client is done.
     */
    private static Result play(
            List<Rendition> renditions, Function<Rendition, List<String>> urls, int clients, int passes,
            Map<String, long[]> pids) throws Exception {
        AtomicLong bytes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        Span span = across(clients, pids, client -> {
            for (int k = 0; k < passes * renditions.size(); k++) {
                Rendition r = renditions.get((client + k) % renditions.size());
                fetchRung(urls, r, Long.MAX_VALUE, bytes, failures);
            }
        });
        return segmentRate(span, bytes, failures);
    }

    private static double median(List<Result> rounds) {
        double[] rates = rounds.stream().mapToDouble(Result::rate).sorted().toArray();
        if (rates.length == 0) {
            return 0;
        }
        return rates.length % 2 == 1 ? rates[rates.length / 2] : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
    }

    /** Sessions (playlists only) for {@code seconds}: the Result's rate is sessions/s, its mib the count. */
    private static Result runSessions(
            List<Rendition> renditions, Function<Rendition, List<String>> urls, int clients, int seconds,
            Map<String, long[]> pids) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Span span = across(clients, pids, client -> {
            while (System.nanoTime() < end) {
                try {
                    urls.apply(renditions.get(ThreadLocalRandom.current().nextInt(renditions.size())));
                    done.incrementAndGet();
                } catch (RuntimeException e) {
                    // counted as not done
                }
            }
        });
        return new Result(done.get() / span.seconds(), done.get(), span.ticks(), 0);
    }

    /** How long a phase took and the CPU ticks each watched process spent in it. */
    record Span(double seconds, Map<String, Long> ticks) {}

    /** Runs {@code work} (given the client's number) on {@code clients} threads until all are done. */
    private static Span across(int clients, Map<String, long[]> pids, IntConsumer work) throws InterruptedException {
        Map<String, Long> before = ticks(pids);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int client = i;
            threads.add(Thread.ofPlatform().start(() -> work.accept(client)));
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        Map<String, Long> used = new HashMap<>();
        ticks(pids).forEach((k, v) -> used.put(k, v - before.getOrDefault(k, 0L)));
        return new Span(elapsed, used);
    }

    /** Fetches a rung's segments, one after another, until {@code deadline}; a URL list it cannot get is a failure. */
    private static void fetchRung(
            Function<Rendition, List<String>> urls, Rendition rendition, long deadline, AtomicLong bytes,
            AtomicLong failures) {
        List<String> list;
        try {
            list = urls.apply(rendition);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            return;
        }
        for (String url : list) {
            if (System.nanoTime() >= deadline) {
                return;
            }
            byte[] body = get(url, true);
            if (body == null) {
                failures.incrementAndGet();
            } else {
                bytes.addAndGet(body.length);
            }
        }
    }

    /** MiB/s of segment bytes over the phase. */
    private static Result segmentRate(Span span, AtomicLong bytes, AtomicLong failures) {
        if (failures.get() > 0) {
            System.err.printf("%d failed requests%n", failures.get());
        }
        double mib = bytes.get() / 1048576.0;
        return new Result(mib / span.seconds(), mib, span.ticks(), (int) failures.get());
    }

    private static String cpuPer(Result result, Iterable<String> names, double units) {
        StringBuilder out = new StringBuilder();
        for (String name : names) {
            out.append(String.format("%s %.2f  ", name, result.ticks().getOrDefault(name, 0L) * TICK_NS / 1e6 / units));
        }
        return out.isEmpty() ? "(no pids given)" : out.toString().strip();
    }

    private static String cpuPerMiB(List<Result> rounds, Iterable<String> names) {
        StringBuilder out = new StringBuilder();
        double mib = rounds.stream().mapToDouble(Result::mib).sum();
        for (String name : names) {
            long ticks = rounds.stream().mapToLong(r -> r.ticks().getOrDefault(name, 0L)).sum();
            out.append(String.format("%s %.2f  ", name, ticks * TICK_NS / 1e6 / mib));
        }
        return out.isEmpty() ? "(no pids given)" : out.toString().strip();
    }

    private static Map<String, Long> ticks(Map<String, long[]> pids) {
        Map<String, Long> out = new HashMap<>();
        pids.forEach((name, pid) -> {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid[0] + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put(name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (Exception e) {
                out.put(name, 0L);
            }
        });
        return out;
    }

    /** The rungs of the master playlist and their segments (init segment first when there is one). */
    private static List<Rendition> renditions(String master) throws Exception {
        List<Rendition> out = new ArrayList<>();
        String text = new String(get(master), StandardCharsets.UTF_8);
        boolean next = false;
        for (String line : text.lines().toList()) {
            if (line.startsWith("#EXT-X-STREAM-INF")) {
                next = true;
            } else if (next && !line.isBlank() && !line.startsWith("#")) {
                String playlist = URI.create(master).resolve(line.strip()).toString();
                String rung = line.strip().split("/")[0];
                out.add(new Rendition(rung, playlist, segments(playlist, rung)));
                next = false;
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no variant in " + master + ":\n" + text);
        }
        return out;
    }

    private static List<Segment> segments(String playlist, String rung) throws Exception {
        List<Segment> out = new ArrayList<>();
        String text = new String(get(playlist), StandardCharsets.UTF_8);
        for (String line : text.lines().toList()) {
            String uri = null;
            if (line.startsWith("#EXT-X-MAP")) {
                Matcher m = URI_ATTR.matcher(line);
                uri = m.find() ? m.group(1) : null;
            } else if (!line.isBlank() && !line.startsWith("#")) {
                uri = line.strip();
            }
            if (uri != null) {
                String url = URI.create(playlist).resolve(uri).toString();
                String path = URI.create(url).getPath();
                out.add(new Segment(rung, path.substring(path.lastIndexOf('/') + 1), url));
            }
        }
        return out;
    }

    /** A viewer's session: the master and the rung's playlist through the gateway (signed now, if presigned). */
    private static List<String> freshSegmentUrls(String master, Rendition rendition) {
        try {
            get(master);
            return segments(rendition.playlistUrl(), rendition.rung()).stream()
                    .map(Segment::url)
                    .toList();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Object keys under videos/{id}/hls/, by their last two path elements (rung/file). */
    private static Map<String, String> objectKeys(MinioClient minio, String bucket, long id) throws Exception {
        Map<String, String> keys = new HashMap<>();
        for (var item : minio.listObjects(ListObjectsArgs.builder()
                .bucket(bucket)
                .prefix("videos/" + id + "/hls/")
                .recursive(true)
                .build())) {
            String key = item.get().objectName();
            String[] parts = key.split("/");
            if (parts.length >= 2) {
                // with attempt prefixes, the newest listing wins; keys sort by attempt
                keys.put(parts[parts.length - 2] + "/" + parts[parts.length - 1], key);
            }
        }
        return keys;
    }

    private static byte[] get(String url) throws Exception {
        byte[] body = get(url, true);
        if (body == null) {
            throw new IllegalStateException("GET " + url + " failed");
        }
        return body;
    }

    /** The body of a 200, or null. */
    private static byte[] get(String url, boolean quiet) {
        try {
            var response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                byte[] body = in.readAllBytes();
                return response.statusCode() == 200 ? body : null;
            }
        } catch (Exception e) {
            return null;
        }
    }

    private static void awaitLadder(String video, long id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        String last = "";
        while (System.nanoTime() < deadline) {
            var response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(video + "/api/v1/videos/" + id))
                            .header("X-Service-Token", System.getenv("BENCH_SERVICE_TOKEN"))
                            .header("X-User-Id", OWNER)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            last = response.body();
            if (last.contains("\"status\":\"FAILED\"")) {
                throw new IllegalStateException("transcode failed: " + last);
            }
            if (last.contains("\"status\":\"READY\"") && !last.contains("\"processing\":{")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("ladder not complete in 15 min: " + last);
    }

    private static long upload(String video, Path source) throws Exception {
        String boundary = "----bench" + System.nanoTime();
        var body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHLS bench\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.mp4\"\r\nContent-Type: video/mp4\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(source));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create(video + "/api/v1/videos"))
                        .header("X-Service-Token", System.getenv("BENCH_SERVICE_TOKEN"))
                        .header("X-User-Id", OWNER)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("upload failed: " + response.statusCode() + " " + response.body());
        }
        Matcher m = Pattern.compile("\"id\":\"?(\\d+)").matcher(response.body());
        if (!m.find()) {
            throw new IllegalStateException("no id in " + response.body());
        }
        return Long.parseLong(m.group(1));
    }
}
