import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole private Barrage stack for a benchmark, on its own ports (gateway on args[1], services on the next
 * five; infrastructure on free ports) so it never collides with a stack someone else is running. The other
 * arguments are Spring properties ({@code key=value}) for every service: what the benchmark needs opened up.
 * Prints the object store's endpoint ("S3 …") and "READY" when every service answers, and stops everything
 * when its standard input closes.
 *
 * <p>Started by {@code start_private_stack} in {@code deploy/bench/lib/private-stack.sh}.
 */
public class PrivateStack {
    public static void main(String[] args) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>();
        // This machine is shared; a loaded start must not fail on Redis's default 3 s PING timeout.
        properties.put("spring.data.redis.timeout", "15s");
        properties.put("spring.data.redis.connect-timeout", "15s");
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("not key=value: " + args[i]);
            }
            properties.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        LocalStack.Options options = new LocalStack.Options(
                Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]), Infra.ServerPorts.random(), properties);
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
