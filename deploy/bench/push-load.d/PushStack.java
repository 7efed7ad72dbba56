import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A private stack for the push benchmark: the infrastructure on free ports and one push-service (shard 0
 * of 1) on args[1], nothing else (the benchmark publishes straight to danmaku.events). Prints
 * "READY kafka=HOST:PORT pid=PID" once push-service is ready, and stops everything when its standard input
 * closes. JVM options of push-service: PUSH_JVM_OPTS (default -Xms256m -Xmx512m -XX:+UseParallelGC, the
 * options of the earlier runs).
 *
 * <p>Run with the infra classpath: {@code java -cp deploy/infra/target/classes:$(cat
 * deploy/infra/target/classpath.txt) deploy/bench/push-load.d/PushStack.java <data dir> <port>}.
 */
public class PushStack {
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        Path jar = Path.of("push-service/target/push-service-exec.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build push-service first");
        }
        Infra infra = Infra.start(dataDir.resolve("infra"), Infra.ServerPorts.random());
        Map<String, String> props = new java.util.LinkedHashMap<>(infra.springProperties(Service.PUSH));
        props.put("server.port", Integer.toString(port));
        // Every load connection comes from this machine's one address: lift the per-client caps (20 per
        // address), which the benchmark does not measure.
        props.put("barrage.push.max-connections-per-address", "1000000");
        props.put("barrage.push.max-connections-per-user", "1000000");
        String json = LocalStack.springApplicationJson(props);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String options = System.getenv().getOrDefault("PUSH_JVM_OPTS", "-Xms256m -Xmx512m -XX:+UseParallelGC");
        command.addAll(List.of(options.trim().split("\\s+")));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("push-service.log").toFile());
        builder.environment().put("SPRING_APPLICATION_JSON", json);
        Process push = builder.start();
        Runnable stop = () -> {
            push.destroy();
            try {
                if (!push.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    push.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                push.destroyForcibly();
            }
            infra.close();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop));
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 240_000_000_000L;
        while (true) {
            if (!push.isAlive() || System.nanoTime() > deadline) {
                System.out.println("push-service did not start; see " + dataDir.resolve("push-service.log"));
                System.exit(1);
            }
            if (LocalStack.ready(http, port)) {
                break;
            }
            Thread.sleep(500);
        }
        System.out.println("READY kafka=" + infra.kafkaBootstrapServers() + " pid=" + push.pid());
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the caller to close our input
        }
        System.exit(0); // the shutdown hook stops everything
    }
}
