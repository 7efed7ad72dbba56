import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a private Barrage stack for the video benchmarks, on its own ports (gateway on args[1], services
 * on the next five, infrastructure on free ports), with the upload limit raised to 2 GB (the benchmark
 * uploads 1 GiB) and the per-client stream limit opened up (the benchmark measures throughput from one
 * address). Prints "READY" and then the infrastructure's S3 endpoint, and stops everything when its
 * standard input closes.
 *
 * <p>Run with the infra classpath: {@code java -cp deploy/infra/target/classes:$(cat
 * deploy/infra/target/classpath.txt) deploy/bench/video-upload-memory.d/VideoBenchStack.java <data> <port>}.
 */
public class VideoBenchStack {
    public static void main(String[] args) throws Exception {
        Map<String, String> properties = Map.ofEntries(
                Map.entry("spring.data.redis.timeout", "15s"),
                Map.entry("spring.data.redis.connect-timeout", "15s"),
                Map.entry("barrage.video.max-upload-size", "2GB"),
                Map.entry("barrage.video.streams-per-client", "100000"),
                Map.entry("barrage.gateway.rate-limits.video-upload.per-second", "100"),
                Map.entry("barrage.gateway.rate-limits.video-upload.burst", "100"));
        LocalStack.Options options = new LocalStack.Options(
                Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]), Infra.Ports.random(), properties);
        LocalStack stack = LocalStack.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        System.out.println("S3 " + stack.infra().s3Endpoint());
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the caller to close our input
        }
        System.exit(0); // the shutdown hook stops the stack
    }
}
