import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MinioClient;
import io.minio.http.Method;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ranged-GET throughput through the gateway and video-service (proxy mode) against the same ranged GETs
 * straight from the S3 store (a presigned URL of the same object), in one run, alternating
 * gateway/S3/gateway/S3 so drift on a shared machine hits both alike.
 *
 * <p>args: gateway URL, video-service URL, S3 endpoint, bucket, seconds per phase, concurrent clients,
 * range size in KiB, object size in MiB. Credentials from the environment: BENCH_SERVICE_TOKEN (to upload
 * the test object through video-service), BENCH_S3_ACCESS_KEY and BENCH_S3_SECRET_KEY (to presign).
 */
public class StreamThroughput {

    // REDIRECT=1 measures redirect mode (video-service started with barrage.video.stream-mode=redirect): each
    // ranged GET gets its 302 through the gateway and video-service, then the bytes from the S3 store
    private static final boolean REDIRECT = "1".equals(System.getenv("REDIRECT"));
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(REDIRECT ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
            .build();

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String video = args[1];
        String s3 = args[2];
        String bucket = args[3];
        int seconds = Integer.parseInt(args[4]);
        int clients = Integer.parseInt(args[5]);
        long range = Long.parseLong(args[6]) * 1024;
        long size = Long.parseLong(args[7]) * 1024 * 1024;

        // BENCH_VIDEO_ID reuses a video uploaded by an earlier run (its size must be the object size given)
        String reuse = System.getenv("BENCH_VIDEO_ID");
        long id = reuse == null || reuse.isBlank() ? upload(video, size) : Long.parseLong(reuse);
        System.out.println("video " + id);
        MinioClient minio = MinioClient.builder()
                .endpoint(s3)
                .credentials(System.getenv("BENCH_S3_ACCESS_KEY"), System.getenv("BENCH_S3_SECRET_KEY"))
                .build();
        String direct = minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                .method(Method.GET)
                .bucket(bucket)
                .object("videos/" + id + "/original")
                .expiry(1, TimeUnit.HOURS)
                .build());
        String proxied = gateway + "/api/v1/videos/" + id + "/stream";

        // ONLY=gateway|direct|video: one phase against one target (for sampling per-process CPU meanwhile)
        String only = System.getenv("ONLY");
        if (only != null && !only.isBlank()) {
            String url = switch (only) {
                case "gateway" -> proxied;
                case "direct" -> direct;
                case "video" -> video + "/api/v1/videos/" + id + "/stream";
                default -> throw new IllegalArgumentException("ONLY=" + only);
            };
            System.out.println("START"); // a CPU sampler may start now
            System.out.flush();
            double rate = run(url, clients, range, size, seconds);
            System.out.printf("%s: %.1f MiB/s over %d s%n", only, rate, seconds);
            return;
        }
        run(proxied, clients, range, size, 3); // warm-up: JIT, connection pools
        run(direct, clients, range, size, 3);
        double[] g = new double[2];
        double[] d = new double[2];
        for (int round = 0; round < 2; round++) {
            g[round] = run(proxied, clients, range, size, seconds);
            d[round] = run(direct, clients, range, size, seconds);
        }
        // VIA_VIDEO=1 adds rounds straight to video-service, to tell its share from the gateway's
        double[] v = new double[2];
        if ("1".equals(System.getenv("VIA_VIDEO"))) {
            String viaVideo = video + "/api/v1/videos/" + id + "/stream";
            run(viaVideo, clients, range, size, 3);
            for (int round = 0; round < 2; round++) {
                v[round] = run(viaVideo, clients, range, size, seconds);
            }
        }
        double gateAvg = (g[0] + g[1]) / 2;
        double directAvg = (d[0] + d[1]) / 2;
        System.out.printf("ranged GETs of %d KiB at random offsets of a %d MiB video, %d clients, 2 x %d s per side, %d CPUs%n",
                range / 1024, size >> 20, clients, seconds, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-36s %10.1f MiB/s (rounds %.1f, %.1f)%n", REDIRECT ? "gateway + video-service (302) + S3" : "gateway + video-service (proxy)", gateAvg, g[0], g[1]);
        System.out.printf("%-36s %10.1f MiB/s (rounds %.1f, %.1f)%n", "S3 store direct (presigned)", directAvg, d[0], d[1]);
        if (v[0] > 0) {
            System.out.printf("%-36s %10.1f MiB/s (rounds %.1f, %.1f)%n", "video-service alone (proxy)", (v[0] + v[1]) / 2, v[0], v[1]);
            System.out.printf("ratio video-service alone/direct: %.2f%n", (v[0] + v[1]) / 2 / directAvg);
        }
        System.out.printf("ratio gateway/direct: %.2f%n", gateAvg / directAvg);
    }

    /** MiB/s of 206 bodies received by {@code clients} threads in {@code seconds}. */
    private static double run(String url, int clients, long range, long size, int seconds) throws Exception {
        AtomicLong bytes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                byte[] sink = new byte[64 * 1024];
                while (System.nanoTime() < end) {
                    long first = ThreadLocalRandom.current().nextLong(size - range);
                    try {
                        var response = HTTP.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .header("Range", "bytes=" + first + "-" + (first + range - 1))
                                        .build(),
                                HttpResponse.BodyHandlers.ofInputStream());
                        long n = 0;
                        try (InputStream in = response.body()) {
                            int r;
                            while ((r = in.read(sink)) >= 0) {
                                n += r;
                            }
                        }
                        if (response.statusCode() != 206 || n != range) {
                            failures.incrementAndGet();
                        } else {
                            bytes.addAndGet(n);
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failures.get() > 0) {
            System.err.printf("%s: %d failed requests%n", url.contains("X-Amz") ? "direct" : "gateway", failures.get());
        }
        return bytes.get() / 1048576.0 / elapsed;
    }

    /** Uploads a generated MP4 of {@code size} bytes straight to video-service; returns its id. */
    private static long upload(String video, long size) throws Exception {
        byte[] file = new byte[(int) size];
        ThreadLocalRandom.current().nextBytes(file);
        // a WebM magic header over random bytes: accepted by the magic-byte check, and the box parser does
        // not look inside WebM, so the upload needs no valid structure
        byte[] ebml = {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x9F, 0x42, (byte) 0x82, (byte) 0x84, 'w', 'e', 'b', 'm'};
        System.arraycopy(ebml, 0, file, 0, ebml.length);
        String boundary = "----bench" + System.nanoTime();
        var body = new java.io.ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nStream bench\r\n--" + boundary
                        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bench.webm\"\r\nContent-Type: video/webm\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create(video + "/api/v1/videos"))
                        .header("X-Service-Token", System.getenv("BENCH_SERVICE_TOKEN"))
                        .header("X-User-Id", "900002")
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("upload failed: " + response.statusCode() + " " + response.body());
        }
        String json = response.body();
        int at = json.indexOf("\"id\":") + 5;
        int end = at;
        while (Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Long.parseLong(json.substring(at, end));
    }
}
