import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploads a generated MP4 of args[1] bytes (a valid ftyp, one mdat of padding, a moov at the end; made
 * on the fly, never held in this JVM's memory) to video-service at args[0], once as the multipart
 * POST /api/v1/videos and once as a tus upload in one PATCH, and reports video-service's heap while it
 * does: jvm_memory_used_bytes{area="heap"} (all pools) and the G1 Old Gen pool from /actuator/prometheus,
 * sampled every 20 ms. The service credential comes from the environment (BENCH_SERVICE_TOKEN).
 */
public class UploadMemory {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public static void main(String[] args) throws Exception {
        String video = args[0];
        long size = Long.parseLong(args[1]);
        String token = System.getenv("BENCH_SERVICE_TOKEN");
        System.out.printf("video-service %s, upload %d MiB, %d CPUs%n", video, size >> 20, Runtime.getRuntime().availableProcessors());
        System.out.printf("%-22s %10s %12s %12s %12s %12s %9s%n", "", "status", "heap before", "heap peak", "old before", "old peak", "MiB/s");

        measure(video, "multipart POST", () -> {
            String boundary = "----bench" + System.nanoTime();
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nUpload memory\r\n"
                            + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
                            + "Content-Type: video/mp4\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            long length = head.length + size + tail.length;
            var body = HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(() -> new SequenceInputStream(
                            new SequenceInputStream(new java.io.ByteArrayInputStream(head), mp4(size)),
                            new java.io.ByteArrayInputStream(tail))),
                    length);
            var response = HTTP.send(
                    HttpRequest.newBuilder(URI.create(video + "/api/v1/videos"))
                            .header("X-Service-Token", token)
                            .header("X-User-Id", "900001")
                            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                            .POST(body)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode();
        }, size);

        measure(video, "tus, one PATCH", () -> {
            var created = HTTP.send(
                    HttpRequest.newBuilder(URI.create(video + "/api/v1/uploads"))
                            .header("X-Service-Token", token)
                            .header("X-User-Id", "900001")
                            .header("Tus-Resumable", "1.0.0")
                            .header("Upload-Length", Long.toString(size))
                            .header("Upload-Metadata", "title " + Base64.getEncoder().encodeToString("Upload memory (tus)".getBytes(StandardCharsets.UTF_8)))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() != 201) {
                return created.statusCode();
            }
            String location = created.headers().firstValue("Location").orElseThrow();
            var patched = HTTP.send(
                    HttpRequest.newBuilder(URI.create(video + location))
                            .header("X-Service-Token", token)
                            .header("X-User-Id", "900001")
                            .header("Tus-Resumable", "1.0.0")
                            .header("Upload-Offset", "0")
                            .header("Content-Type", "application/offset+octet-stream")
                            .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(
                                    HttpRequest.BodyPublishers.ofInputStream(() -> mp4(size)), size))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return patched.statusCode();
        }, size);
    }

    interface Upload {
        int run() throws Exception;
    }

    private static void measure(String video, String label, Upload upload, long size) throws Exception {
        long[] before = heap(video);
        AtomicLong peakHeap = new AtomicLong(before[0]);
        AtomicLong peakOld = new AtomicLong(before[1]);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (running.get()) {
                try {
                    long[] now = heap(video);
                    peakHeap.accumulateAndGet(now[0], Math::max);
                    peakOld.accumulateAndGet(now[1], Math::max);
                    Thread.sleep(20);
                } catch (Exception e) {
                    // a missed sample is fine
                }
            }
        });
        long start = System.nanoTime();
        int status = upload.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();
        System.out.printf("%-22s %10d %10.1f M %10.1f M %10.1f M %10.1f M %9.1f%n", label, status,
                before[0] / 1048576.0, peakHeap.get() / 1048576.0, before[1] / 1048576.0, peakOld.get() / 1048576.0,
                size / 1048576.0 / seconds);
        System.out.printf("%-22s heap growth (peak - before): %.1f MiB; old gen growth: %.1f MiB%n", "",
                (peakHeap.get() - before[0]) / 1048576.0, (peakOld.get() - before[1]) / 1048576.0);
    }

    /** {heap used, G1 Old Gen used} in bytes. */
    private static long[] heap(String video) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(video + "/actuator/prometheus")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        long heap = 0;
        long old = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                heap += value;
                if (line.contains("Old Gen")) {
                    old += value;
                }
            }
        }
        return new long[] {heap, old};
    }

    /** ftyp, an mdat of (size - the rest) padding bytes with a 64-bit size, then moov; made as it is read. */
    static InputStream mp4(long size) {
        byte[] ftyp = box("ftyp", concat(ascii("isom"), u32(0x200), ascii("isom"), ascii("mp41")));
        byte[] moov = box("moov", concat(mvhd(1000, 3_600_000), trak(1920, 1080)));
        long mdatBody = size - ftyp.length - 16 - moov.length;
        ByteBuffer mdatHeader = ByteBuffer.allocate(16).putInt(1).put(ascii("mdat")).putLong(mdatBody + 16);
        byte[] block = new byte[64 * 1024];
        new Random(42).nextBytes(block);
        InputStream padding = new InputStream() {
            long left = mdatBody;

            @Override
            public int read() {
                return left-- > 0 ? block[(int) (left % block.length)] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(Math.min(len, left), block.length);
                System.arraycopy(block, 0, b, off, n);
                left -= n;
                return n;
            }
        };
        return new SequenceInputStream(java.util.Collections.enumeration(java.util.List.of(
                new java.io.ByteArrayInputStream(concat(ftyp, mdatHeader.array())),
                padding,
                new java.io.ByteArrayInputStream(moov))));
    }

    private static byte[] mvhd(long timescale, long duration) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.putInt(0).putInt(0).putInt(0).putInt((int) timescale).putInt((int) duration);
        b.putInt(0x00010000).putShort((short) 0x0100).put(new byte[10]).put(matrix()).put(new byte[24]).putInt(2);
        return box("mvhd", b.array());
    }

    private static byte[] trak(int width, int height) {
        ByteBuffer t = ByteBuffer.allocate(84);
        t.putInt(3).putInt(0).putInt(0).putInt(1).putInt(0).putInt(0).put(new byte[8]);
        t.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).put(matrix());
        t.putInt(width << 16).putInt(height << 16);
        byte[] hdlr = box("hdlr", concat(u32(0), u32(0), ascii("vide"), new byte[12], new byte[] {0}));
        return box("trak", concat(box("tkhd", t.array()), box("mdia", hdlr)));
    }

    private static byte[] matrix() {
        return ByteBuffer.allocate(36).putInt(0x00010000).putInt(0).putInt(0).putInt(0).putInt(0x00010000)
                .putInt(0).putInt(0).putInt(0).putInt(0x40000000).array();
    }

    private static byte[] box(String type, byte[] body) {
        return concat(u32(8 + body.length), ascii(type), body);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
