package io.barrage.infra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole product on one machine: the real servers ({@link Infra}) plus the six services as separate
 * JVMs under the {@code local} profile. {@code deploy/local/up} runs {@link #main}; the end-to-end test
 * runs {@link #start} on other ports.
 *
 * <p>Once every service is ready, a service that dies (a crash, {@code kill -9}, the OOM killer) is started
 * again after 1 s, then 2, 4 … up to 30 s if it keeps dying, and back to 1 s after a minute alive
 * ({@link Supervisor}), as Kubernetes restarts a crashed container; a service stopped on purpose
 * ({@link #stop}) stays stopped. Under {@code deploy/local/up} a server that dies is started again the same
 * way ({@link ServerWatch}); the end-to-end tests leave the servers to the test, which kills and restarts
 * them itself.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    /** Start order: what others call comes first, the gateway last. */
    private static final List<Service> START_ORDER =
            List.of(Service.USER, Service.VIDEO, Service.DANMAKU, Service.PUSH, Service.SCHEDULER, Service.GATEWAY);

    private final Options options;
    private volatile Infra infra;
    /** Each service's current life; guarded by this. */
    private final Map<Service, ChildJvm> services = new EnumMap<>(Service.class);
    /** push-service shards 1..N-1 ({@code BARRAGE_PUSH_SHARDS=N}); shard 0 is {@link Service#PUSH}. Guarded by this. */
    private final Map<Integer, ChildJvm> extraShards = new java.util.TreeMap<>();
    /** Once all are ready: a service that dies is started again with backoff, as Kubernetes would. */
    private final Supervisor supervisor;
    /** Under deploy/local/up: a server that dies is started again. */
    private volatile ServerWatch serverWatch;

    /**
     * @param dataDir where every server and service keeps its data and logs
     * @param portBase the gateway's port; the services take the next five, the gateway's management port is
     *     {@code portBase + 10}
     * @param infraPorts the servers' ports
     * @param extraProperties Spring properties added to every service (tests use it to lower limits)
     * @param pushShards how many push shards, each its own JVM (1 to 9, at most the partitions of
     *     danmaku.events)
     */
    public record Options(
            Path dataDir,
            int portBase,
            Infra.ServerPorts infraPorts,
            Map<String, String> extraProperties,
            int pushShards) {

        public Options {
            int partitions = Infra.TOPICS.get("danmaku.events");
            if (pushShards < 1 || pushShards > partitions || pushShards > 9) {
                throw new IllegalArgumentException(
                        "BARRAGE_PUSH_SHARDS must be 1 to 9 (and at most " + partitions + ")");
            }
        }

        /** As many push shards as {@code BARRAGE_PUSH_SHARDS} says (1 by default). */
        public Options(Path dataDir, int portBase, Infra.ServerPorts infraPorts, Map<String, String> extraProperties) {
            this(dataDir, portBase, infraPorts, extraProperties, pushShardsFromEnvironment());
        }

        public int port(Service service) {
            return portBase + (service.defaultPort() - Service.GATEWAY.defaultPort());
        }

        public int gatewayManagementPort() {
            return portBase + 10;
        }

        /** Push shard {@code i}: shard 0 on push-service's port, the others after the gateway's management port. */
        public int pushShardPort(int shard) {
            return shard == 0 ? port(Service.PUSH) : portBase + 10 + shard;
        }

        public String gatewayUrl() {
            return "http://localhost:" + portBase;
        }
    }

    private LocalStack(Options options) {
        this(options, Supervisor.Backoff.standard());
    }

    LocalStack(Options options, Supervisor.Backoff restarts) {
        this.options = options;
        this.supervisor = new Supervisor(restarts);
    }

    public static void main(String[] args) throws Exception {
        Path root = RepoRoot.find();
        Path dataDir = root.resolve(".data");
        for (int i = 0; i < args.length; i++) {
            if ("--data".equals(args[i]) && i + 1 < args.length) {
                dataDir = Path.of(args[++i]).toAbsolutePath();
            }
        }
        long begin = System.nanoTime();
        Files.createDirectories(dataDir);
        Files.writeString(
                dataDir.resolve("local-stack.pid"),
                Long.toString(ProcessHandle.current().pid()));
        Options options = new Options(dataDir, 8080, Infra.ServerPorts.fixedLocal(), Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        LocalStack stack = new LocalStack(options);
        Path pidFile = dataDir.resolve("local-stack.pid");
        // Registered before anything starts, so Ctrl-C during start-up leaves nothing behind either.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("Stopping Barrage…");
                            stack.close();
                            try {
                                Files.deleteIfExists(pidFile);
                            } catch (IOException ignored) {
                                // nothing to do on the way out
                            }
                            System.out.println("Barrage stopped.");
                            stopped.countDown();
                        },
                        "local-stack-stop"));
        stack.startAll();
        stack.watchServers(Supervisor.Backoff.standard());
        long seconds = Duration.ofNanos(System.nanoTime() - begin).toSeconds();
        System.out.printf(
                "%nBarrage is ready in %d s: %s%n  logs: %s%n  stop: Ctrl-C or deploy/local/down%n%n",
                seconds, options.gatewayUrl(), dataDir.resolve("logs"));
        stopped.await();
    }

    public static LocalStack start(Options options) throws Exception {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll();
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    private void startAll() throws Exception {
        Path root = RepoRoot.find();
        List<Path> jars = new ArrayList<>();
        for (Service service : START_ORDER) {
            Path jar = root.resolve(service.id()).resolve("target").resolve(service.id() + "-exec.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests install)");
            }
            jars.add(jar);
        }
        infra = Infra.start(options.dataDir().resolve("infra"), options.infraPorts());
        Path pushJar = jars.get(START_ORDER.indexOf(Service.PUSH));
        for (int i = 0; i < START_ORDER.size(); i++) {
            launch(START_ORDER.get(i), jars.get(i));
            if (START_ORDER.get(i) == Service.PUSH) {
                for (int shard = 1; shard < options.pushShards(); shard++) {
                    launchShard(shard, pushJar);
                }
            }
        }
        awaitReady(readyTimeout());
        // Only now: a service that cannot start at all fails the start above with its log, rather than
        // being started again and again.
        for (int i = 0; i < START_ORDER.size(); i++) {
            Service service = START_ORDER.get(i);
            Path jar = jars.get(i);
            supervisor.supervise(service.id(), child(service), () -> launch(service, jar));
        }
        for (int shard = 1; shard < options.pushShards(); shard++) {
            int index = shard;
            supervisor.supervise(shardId(index), shardChild(index), () -> launchShard(index, pushJar));
        }
    }

    /**
     * How many push shards the stack runs ({@code BARRAGE_PUSH_SHARDS}, 1 by default), each its own JVM,
     * all routed by the gateway; at most the partitions of danmaku.events.
     */
    static int pushShardsFromEnvironment() {
        String shards = System.getenv("BARRAGE_PUSH_SHARDS");
        return shards == null || shards.isBlank() ? 1 : Integer.parseInt(shards.trim());
    }

    private static String shardId(int shard) {
        return Service.PUSH.id() + "-" + shard;
    }

    private synchronized ChildJvm shardChild(int shard) {
        return extraShards.get(shard);
    }

    private synchronized ChildJvm launchShard(int shard, Path jar) throws IOException {
        ChildJvm child = launch(Service.PUSH, jar, shard);
        extraShards.put(shard, child);
        return child;
    }

    /** From now on, a server (Kafka, Redis, MariaDB, the S3 store) that dies is started again. */
    void watchServers(Supervisor.Backoff restarts) {
        serverWatch = new ServerWatch(infra, restarts);
    }

    /** Long enough for two cores; a machine busy with other work can give itself more. */
    static Duration readyTimeout() {
        String seconds = System.getenv("BARRAGE_READY_TIMEOUT_SECONDS");
        return Duration.ofSeconds(seconds == null || seconds.isBlank() ? 240 : Long.parseLong(seconds.trim()));
    }

    /**
     * Tuned for a fast start of six JVMs on two cores: the C1 compiler only and the serial collector.
     * Benchmarks measure steady state instead, so they replace these with {@code BARRAGE_SERVICE_JVM_OPTS}
     * (for example {@code "-Xmx512m -XX:+UseParallelGC"}, which lets C2 compile the hot paths).
     */
    static List<String> serviceJvmOptions() {
        String override = System.getenv("BARRAGE_SERVICE_JVM_OPTS");
        if (override != null && !override.isBlank()) {
            return List.of(override.trim().split("\\s+"));
        }
        return List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    private synchronized ChildJvm launch(Service service, Path jar) throws IOException {
        ChildJvm child = launch(service, jar, 0);
        services.put(service, child);
        return child;
    }

    private synchronized ChildJvm launch(Service service, Path jar, int shard) throws IOException {
        String name = shard == 0 ? service.id() : shardId(shard);
        Path cds = Files.createDirectories(options.dataDir().resolve("cds"));
        List<String> command = new java.util.ArrayList<>();
        command.add(ChildJvm.javaExecutable().toString());
        command.addAll(serviceJvmOptions());
        command.addAll(List.of(
                // A class-data archive per service, written at first exit, makes later starts faster.
                "-XX:+AutoCreateSharedArchive",
                "-XX:SharedArchiveFile=" + cds.resolve(name + ".jsa"),
                "-Xlog:cds=off",
                "-Xlog:cds+dynamic=off",
                // Boot's launcher finds its archive from its own class, so it runs from a plain
                // classpath too, behind ParentWatch: a service never outlives the stack, even after a
                // SIGKILL of it.
                "-cp",
                ChildJvm.ownClasspathEntry() + java.io.File.pathSeparator + jar,
                ParentWatch.class.getName(),
                Long.toString(ProcessHandle.current().pid()),
                "org.springframework.boot.loader.launch.JarLauncher"));
        String json = springApplicationJson(properties(service, shard));
        ChildJvm child = ChildJvm.launch(
                name,
                command,
                Map.of("SPRING_APPLICATION_JSON", json, "SPRING_PROFILES_ACTIVE", "local"),
                options.dataDir().resolve("logs").resolve(name + ".log"));
        log.info(
                "started {} (pid {}) on port {}",
                name,
                child.pid(),
                service == Service.PUSH ? options.pushShardPort(shard) : options.port(service));
        return child;
    }

    private synchronized ChildJvm child(Service service) {
        return services.get(service);
    }

    /** Everything a service needs that differs per machine or per run; the rest is in its application.yml. */
    Map<String, String> properties(Service service) {
        return properties(service, 0);
    }

    Map<String, String> properties(Service service, int shard) {
        Map<String, String> props = new LinkedHashMap<>(infra.springProperties(service));
        props.put(
                "server.port",
                Integer.toString(service == Service.PUSH ? options.pushShardPort(shard) : options.port(service)));
        for (Service other : Service.values()) {
            props.put(
                    "spring.cloud.discovery.client.simple.instances." + other.id() + "[0].uri",
                    "http://127.0.0.1:" + options.port(other));
        }
        int shards = options.pushShards();
        if (shards > 1) {
            // every shard its own JVM, found by the gateway through its shard metadata
            for (int i = 0; i < shards; i++) {
                String instance = "spring.cloud.discovery.client.simple.instances.push-service[" + i + "]";
                props.put(instance + ".uri", "http://127.0.0.1:" + options.pushShardPort(i));
                props.put(instance + ".metadata.shard", Integer.toString(i));
            }
            if (service == Service.PUSH) {
                props.put("barrage.push.shard-index", Integer.toString(shard));
                props.put("barrage.push.shard-count", Integer.toString(shards));
            } else if (service == Service.GATEWAY) {
                props.put("barrage.gateway.push-shards", Integer.toString(shards));
            }
        }
        // watch a room spread on one machine: BARRAGE_PUSH_SPREAD_THRESHOLD=5
        String threshold = System.getenv("BARRAGE_PUSH_SPREAD_THRESHOLD");
        if (service == Service.PUSH && threshold != null && !threshold.isBlank()) {
            props.put("barrage.push.spread-threshold", threshold.trim());
        }
        if (service == Service.GATEWAY) {
            props.put("management.server.port", Integer.toString(options.gatewayManagementPort()));
        }
        // One list of browser origins for the gateway's CORS check and push-service's own (as the chart's
        // cors.allowedOrigins): a shard never allows an origin the gateway refuses.
        String origins = System.getenv("BARRAGE_CORS_ALLOWED_ORIGINS");
        if (origins != null && !origins.isBlank()) {
            if (service == Service.GATEWAY) {
                props.put("barrage.gateway.cors.allowed-origins", origins.trim());
            } else if (service == Service.PUSH) {
                props.put("barrage.push.allowed-origins", origins.trim());
            }
        }
        props.putAll(options.extraProperties());
        return props;
    }

    private int managementPort(Service service) {
        return service == Service.GATEWAY ? options.gatewayManagementPort() : options.port(service);
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Service> pending = new ArrayList<>(START_ORDER);
        List<Integer> pendingShards = new ArrayList<>();
        for (int shard = 1; shard < options.pushShards(); shard++) {
            pendingShards.add(shard);
        }
        while (!pending.isEmpty() || !pendingShards.isEmpty()) {
            for (Integer shard : List.copyOf(pendingShards)) {
                ChildJvm child = shardChild(shard);
                if (!child.isAlive()) {
                    throw new IllegalStateException(shardId(shard) + " exited during start; last lines of "
                            + child.log() + ":\n" + child.tail());
                }
                if (ready(http, options.pushShardPort(shard))) {
                    pendingShards.remove(shard);
                    log.info("{} is ready", shardId(shard));
                }
            }
            for (Service service : List.copyOf(pending)) {
                ChildJvm child = child(service);
                if (!child.isAlive()) {
                    throw new IllegalStateException(
                            service.id() + " exited during start; last lines of " + child.log() + ":\n" + child.tail());
                }
                if (ready(http, managementPort(service))) {
                    pending.remove(service);
                    log.info("{} is ready", service.id());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready after " + timeout.toSeconds() + " s: "
                        + pending.stream().map(Service::id).collect(Collectors.joining(", ")));
            }
            Thread.sleep(250);
        }
    }

    /** Whether the service whose actuator is on this port answers its readiness probe with 200 (benchmarks' stacks use it too). */
    public static boolean ready(HttpClient http, int port) {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public Options options() {
        return options;
    }

    public Infra infra() {
        return infra;
    }

    /** Stops one service (SIGTERM), for tests of what happens when it is gone; it is not started again. */
    public void stop(Service service) {
        supervisor.release(service.id()); // first, and without this stack's lock, which a restart takes
        ChildJvm child;
        synchronized (this) {
            child = services.remove(service);
        }
        if (child != null) {
            child.close();
        }
    }

    /**
     * Kills one service at once (SIGKILL, as a crash or the kernel's OOM killer would): the stack starts it
     * again after its backoff. For the chaos test.
     */
    public void kill(Service service) {
        ChildJvm child = child(service);
        if (child != null) {
            child.kill();
        }
    }

    /**
     * Kills push shard {@code shard} at once (SIGKILL; shard 0 is {@link Service#PUSH}): the stack starts it
     * again after its backoff. For the hot-room test, which kills one member of a spread set.
     */
    public void killPushShard(int shard) {
        ChildJvm child = shard == 0 ? child(Service.PUSH) : shardChild(shard);
        if (child != null) {
            child.kill();
        }
    }

    /** The process id of push shard {@code shard}'s current life, or -1. */
    public long pushShardPid(int shard) {
        ChildJvm child = shard == 0 ? child(Service.PUSH) : shardChild(shard);
        return child == null ? -1 : child.pid();
    }

    /** Whether push shard {@code shard} answers its readiness probe now. */
    public boolean pushShardReady(int shard) {
        return ready(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build(), options.pushShardPort(shard));
    }

    /** The process id of the service's current life, or -1. */
    public long pid(Service service) {
        ChildJvm child = child(service);
        return child == null ? -1 : child.pid();
    }

    /** Whether the service answers its readiness probe now. */
    public boolean ready(Service service) {
        return ready(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build(), managementPort(service));
    }

    /** How many times the stack has started the service again after it died. */
    public int restarts(Service service) {
        return supervisor.restartDelays(service.id()).size();
    }

    @Override
    public void close() {
        if (serverWatch != null) {
            serverWatch.close();
        }
        supervisor.close(); // nothing is started again from here on
        // Services first, in parallel (each drains its work on SIGTERM), then the servers under them.
        List<Thread> stopping = new ArrayList<>();
        List<ChildJvm> children;
        synchronized (this) {
            children = new ArrayList<>(services.values());
            children.addAll(extraShards.values());
        }
        for (ChildJvm child : children) {
            stopping.add(Thread.ofPlatform().start(child::close));
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            services.clear();
            extraShards.clear();
        }
        if (infra != null) {
            infra.close();
        }
    }

    /** Spring properties as the value of {@code SPRING_APPLICATION_JSON} (benchmarks' stacks use it too). */
    public static String springApplicationJson(Map<String, String> props) {
        return props.entrySet().stream()
                .map(e -> quote(e.getKey()) + ":" + quote(e.getValue()))
                .collect(Collectors.joining(",", "{", "}"));
    }

    private static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
