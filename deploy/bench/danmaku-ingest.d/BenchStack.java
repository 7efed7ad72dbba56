import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a whole Barrage stack for the ingest benchmark, on its own ports (gateway on args[1], services on
 * the next five; infrastructure on free ports) so it never collides with a stack someone else is running,
 * with the per-user limits opened up (the benchmark measures throughput, not the cooldown). Prints
 * "READY" when every service answers, and stops everything when its standard input closes.
 *
 * <p>Run with the infra classpath: {@code java -cp deploy/infra/target/classes:$(cat
 * deploy/infra/target/classpath.txt) deploy/bench/danmaku-ingest.d/BenchStack.java <data dir> <port>}.
 */
public class BenchStack {
    public static void main(String[] args) throws Exception {
        Map<String, String> limits = Map.ofEntries(
                // This machine is shared; a loaded start must not fail on Redis's default 3 s PING timeout.
                Map.entry("spring.data.redis.timeout", "15s"),
                Map.entry("spring.data.redis.connect-timeout", "15s"),
                Map.entry("barrage.danmaku.rate.user-burst", "1000000"),
                Map.entry("barrage.danmaku.rate.user-interval", "1ms"),
                Map.entry("barrage.gateway.rate-limits.danmaku-post.per-second", "100000"),
                Map.entry("barrage.gateway.rate-limits.danmaku-post.burst", "100000"),
                Map.entry("barrage.gateway.rate-limits.credentials.per-second", "1000"),
                Map.entry("barrage.gateway.rate-limits.credentials.burst", "1000"),
                Map.entry("barrage.gateway.rate-limits.video-upload.per-second", "100"),
                Map.entry("barrage.gateway.rate-limits.video-upload.burst", "100"));
        LocalStack.Options options = new LocalStack.Options(
                Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]), Infra.Ports.random(), limits);
        LocalStack stack = LocalStack.start(options);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close));
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the caller to close our input
        }
        System.exit(0); // the shutdown hook stops the stack
    }
}
