package io.barrage.infra;

import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four real servers Barrage needs, started in one data folder, with the schemas, users, topics and
 * bucket created. {@link #springProperties(Service)} tells a service how to reach them.
 */
public final class Infra implements AutoCloseable {

    public static final String BUCKET = "barrage-videos";

    /** Topics and their partition counts; each is owned by the service named in its prefix. */
    public static final Map<String, Integer> TOPICS = Map.of(
            "danmaku.events", 12, "video.events", 3, "user.events", 3, "video.transcode-jobs", 6, "push.spread", 3);

    /** Topics that keep only the latest record per key (push.spread: the hot videos' sets and counts). */
    public static final java.util.Set<String> COMPACTED = java.util.Set.of("push.spread");

    private static final Logger log = LoggerFactory.getLogger(Infra.class);

    private final Secrets secrets;
    private final List<AutoCloseable> started = new ArrayList<>();
    private KafkaServer kafka;
    private RedisServerHandle redis;
    private MariaDbServer mariaDb;
    private S3Server s3;

    private Path root;
    private Path dataDir;
    private ServerPorts ports;

    private Infra(Secrets secrets) {
        this.secrets = secrets;
    }

    /** The ports of the infrastructure servers (Kafka, Redis, MariaDB, the S3 store); 0 picks a free one. */
    public record ServerPorts(int kafka, int kafkaController, int redis, int mariaDb, int s3) {

        public static ServerPorts fixedLocal() {
            return new ServerPorts(19092, 19093, 16379, 13306, 19000);
        }

        public static ServerPorts random() {
            return new ServerPorts(0, 0, 0, 0, 0);
        }
    }

    public static Infra start(Path dataDir, ServerPorts requested) throws Exception {
        Path root = RepoRoot.find();
        Infra infra = new Infra(Secrets.load(dataDir.resolve("secrets.properties")));
        infra.root = root;
        infra.dataDir = dataDir;
        long begin = System.nanoTime();
        try {
            // The two JVM servers start in the background while the native ones come up.
            var kafkaStart = CompletableFuture.supplyAsync(() -> unchecked(() -> onFreePort(
                    "kafka",
                    requested.kafka(),
                    port -> KafkaServer.start(
                            root,
                            dataDir.resolve("kafka"),
                            port,
                            requested.kafkaController() == 0 ? LocalPorts.free() : requested.kafkaController()))));
            var s3Start = CompletableFuture.supplyAsync(() -> unchecked(() -> onFreePort(
                    "s3 store",
                    requested.s3(),
                    port -> S3Server.start(
                            root,
                            dataDir.resolve("s3"),
                            port,
                            infra.secrets.get("s3.access-key"),
                            infra.secrets.get("s3.secret-key")))));
            try {
                infra.redis = infra.track(onFreePort(
                        "redis",
                        requested.redis(),
                        port -> RedisServerHandle.start(dataDir.resolve("redis"), port, infra.redisPassword())));
                infra.mariaDb = infra.track(onFreePort(
                        "mariadb", requested.mariaDb(), port -> MariaDbServer.start(dataDir.resolve("mariadb"), port)));
            } finally {
                infra.s3 = infra.track(joinQuietly(s3Start));
                infra.kafka = infra.track(joinQuietly(kafkaStart));
            }
            if (infra.kafka == null || infra.s3 == null) {
                kafkaStart.join();
                s3Start.join();
            }
            infra.ports = new ServerPorts(
                    infra.kafka.port(),
                    infra.kafka.controllerPort(),
                    infra.redis.port(),
                    infra.mariaDb.port(),
                    infra.s3.port());
            Reaper.watch(dataDir.resolve("mariadb"), infra.ports.redis());
            infra.provision();
        } catch (Exception | Error e) {
            infra.close();
            throw unwrap(e);
        }
        log.info(
                "infrastructure ready in {} ms: kafka {}, redis {}, mariadb {}, s3 {}",
                (System.nanoTime() - begin) / 1_000_000,
                infra.ports.kafka(),
                infra.ports.redis(),
                infra.ports.mariaDb(),
                infra.ports.s3());
        return infra;
    }

    private interface OnPort<T> {
        T start(int port) throws Exception;
    }

    /**
     * Starts a server on the requested port, or on a free one when 0 was requested. A free port can be
     * taken by another process between our look and the server's bind (parallel test JVMs do that), so
     * a bind failure on a port we picked is retried on another.
     */
    private static <T> T onFreePort(String what, int requested, OnPort<T> server) throws Exception {
        for (int attempt = 1; ; attempt++) {
            int port = requested == 0 ? LocalPorts.free() : requested;
            try {
                return server.start(port);
            } catch (Exception e) {
                if (requested != 0 || attempt == 3 || !portTaken(e)) {
                    throw e;
                }
                log.warn("{}: port {} was taken before it could bind; trying another", what, port);
            }
        }
    }

    private static boolean portTaken(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("already in use") || message.contains("Bind on TCP/IP port")) {
                return true;
            }
        }
        return false;
    }

    private interface Checked<T> {
        T get() throws Exception;
    }

    private static <T> T unchecked(Checked<T> supplier) {
        try {
            return supplier.get();
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private static <T> T joinQuietly(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Exception unwrap(Throwable e) {
        Throwable cause = e;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof Exception ex ? ex : new IllegalStateException(cause);
    }

    private <T extends AutoCloseable> T track(T server) {
        if (server != null) {
            started.add(server);
        }
        return server;
    }

    private void provision() throws Exception {
        provisionSchemas();
        kafka.createTopics(TOPICS);
        s3.createBucket(BUCKET);
    }

    private void provisionSchemas() throws Exception {
        for (Service service : Service.values()) {
            if (service.schema().isPresent()) {
                String schema = service.schema().get();
                mariaDb.provision(schema, schema, dbPassword(service));
            }
        }
    }

    private String dbPassword(Service service) {
        return secrets.get("db." + service.id() + ".password");
    }

    /** The shared credential services use with each other and with the gateway. */
    public String serviceToken() {
        return secrets.get("service-token");
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The password redis-server requires (generated once per data folder, like every credential here). */
    public String redisPassword() {
        return secrets.get("redis.password");
    }

    public int redisPort() {
        return redis.port();
    }

    public String s3Endpoint() {
        return s3.endpoint();
    }

    public String s3AccessKey() {
        return s3.accessKey();
    }

    public String s3SecretKey() {
        return s3.secretKey();
    }

    /** A client of the object store, with its credentials. */
    public MinioClient s3Client() {
        return MinioClient.builder()
                .endpoint(s3Endpoint())
                .credentials(s3AccessKey(), s3SecretKey())
                .build();
    }

    /** Stores {@code bytes} at {@code key} in {@link #BUCKET}, as a test's fixture. */
    public void putObject(String key, byte[] bytes) throws Exception {
        s3Client()
                .putObject(PutObjectArgs.builder().bucket(BUCKET).object(key).stream(
                                new ByteArrayInputStream(bytes), bytes.length, -1)
                        .build());
    }

    /** A JDBC URL, user and password with rights on {@code service}'s schema only. */
    public String jdbcUrl(Service service) {
        return mariaDb.jdbcUrl(service.schema().orElseThrow());
    }

    /** The Spring properties that point {@code service} at this infrastructure. */
    public Map<String, String> springProperties(Service service) {
        Map<String, String> props = new LinkedHashMap<>();
        service.schema().ifPresent(schema -> {
            props.put("spring.datasource.url", mariaDb.jdbcUrl(schema));
            props.put("spring.datasource.username", schema);
            props.put("spring.datasource.password", dbPassword(service));
        });
        props.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        props.put("spring.data.redis.host", "127.0.0.1");
        props.put("spring.data.redis.port", Integer.toString(redis.port()));
        props.put("spring.data.redis.password", redisPassword());
        if (service.usesObjectStore()) {
            props.put("barrage.s3.endpoint", s3.endpoint());
            props.put("barrage.s3.access-key", s3.accessKey());
            props.put("barrage.s3.secret-key", s3.secretKey());
            props.put("barrage.s3.bucket", BUCKET);
        }
        props.put("barrage.service-token", serviceToken());
        return props;
    }

    /**
     * Stops the Kafka broker, for tests of what clients see while it is gone; {@link #startKafka()} brings
     * it back on the same port with the same log.
     */
    public synchronized void stopKafka() {
        started.remove(kafka);
        kafka.close();
    }

    public synchronized void startKafka() throws Exception {
        kafka = track(KafkaServer.start(root, dataDir.resolve("kafka"), ports.kafka(), ports.kafkaController()));
    }

    /** Stops Redis; {@link #startRedis()} restarts it on the same port from its append-only file. */
    public synchronized void stopRedis() throws Exception {
        started.remove(redis);
        redis.close();
    }

    public synchronized void startRedis() throws Exception {
        redis = track(RedisServerHandle.start(dataDir.resolve("redis"), ports.redis(), redisPassword()));
    }

    /** Stops MariaDB; {@link #startMariaDb()} restarts it on the same port with the same data. */
    public synchronized void stopMariaDb() throws Exception {
        started.remove(mariaDb);
        mariaDb.close();
    }

    public synchronized void startMariaDb() throws Exception {
        mariaDb = track(MariaDbServer.start(dataDir.resolve("mariadb"), ports.mariaDb()));
        // The accounts live in the data folder and survive, but provisioning is idempotent and cheap, and
        // a restart must never leave a service unable to log in.
        provisionSchemas();
    }

    /**
     * Kills the broker at once (SIGKILL), as a crash would; {@link #startKafka()} brings it back. For the
     * chaos test; the servers are not restarted on their own (see {@link LocalStack}).
     */
    public synchronized void killKafka() {
        started.remove(kafka);
        kafka.process().kill();
    }

    /** Kills redis-server at once (SIGKILL); {@link #startRedis()} brings it back from its append-only file. */
    public synchronized void killRedis() {
        started.remove(redis);
        killServer("redis-server", ":" + ports.redis());
        closeQuietly(redis);
    }

    /** Kills mariadbd at once (SIGKILL); {@link #startMariaDb()} brings it back (InnoDB recovers its log). */
    public synchronized void killMariaDb() {
        started.remove(mariaDb);
        killServer("mariadbd", "--port=" + ports.mariaDb());
        closeQuietly(mariaDb);
    }

    /** The servers under the services. */
    public enum Server {
        KAFKA,
        REDIS,
        MARIADB,
        S3
    }

    /**
     * Whether {@code server} should be running: started, and neither stopped nor killed through this
     * class. Such a server that is not {@link #alive} has crashed or was killed from outside.
     */
    public synchronized boolean expected(Server server) {
        AutoCloseable handle = handle(server);
        return handle != null && started.contains(handle);
    }

    /** Whether the server's process is running now. */
    public synchronized boolean alive(Server server) {
        return switch (server) {
            case KAFKA -> kafka != null && kafka.process().isAlive();
            case S3 -> s3 != null && s3.process().isAlive();
            case REDIS -> !processes("redis-server", ":" + ports.redis()).isEmpty();
            case MARIADB -> !processes("mariadbd", "--port=" + ports.mariaDb()).isEmpty();
        };
    }

    /**
     * Starts a server that died again on its port and data, as a container runtime would: Kafka from its
     * log, Redis from its append-only file, MariaDB after InnoDB's recovery, the S3 store from its folder.
     */
    public synchronized void recover(Server server) throws Exception {
        AutoCloseable dead = handle(server);
        if (dead != null) {
            started.remove(dead);
            closeQuietly(dead);
        }
        switch (server) {
            case KAFKA -> startKafka();
            case REDIS -> startRedis();
            case MARIADB -> startMariaDb();
            case S3 ->
                s3 = track(S3Server.start(
                        root,
                        dataDir.resolve("s3"),
                        ports.s3(),
                        secrets.get("s3.access-key"),
                        secrets.get("s3.secret-key")));
        }
        if (server == Server.REDIS || server == Server.MARIADB) {
            // the reaper knows the pids of its start only: one more for the new process
            Reaper.watch(dataDir.resolve("mariadb"), ports.redis());
        }
    }

    private AutoCloseable handle(Server server) {
        return switch (server) {
            case KAFKA -> kafka;
            case REDIS -> redis;
            case MARIADB -> mariaDb;
            case S3 -> s3;
        };
    }

    /** A server's processes by their command line (a test kills one as a crash would). */
    synchronized List<ProcessHandle> processes(Server server) {
        return switch (server) {
            case KAFKA ->
                kafka == null
                        ? List.of()
                        : ProcessHandle.of(kafka.process().pid()).stream().toList();
            case S3 ->
                s3 == null
                        ? List.of()
                        : ProcessHandle.of(s3.process().pid()).stream().toList();
            case REDIS -> processes("redis-server", ":" + ports.redis());
            case MARIADB -> processes("mariadbd", "--port=" + ports.mariaDb());
        };
    }

    private static List<ProcessHandle> processes(String program, String portArgument) {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(p -> {
                    String line = commandLine(p);
                    return line.contains(program) && line.contains(portArgument);
                })
                .toList();
    }

    /** The native servers run under a library's process handling: found by their command line. */
    private static void killServer(String program, String portArgument) {
        List<ProcessHandle> found = processes(program, portArgument);
        if (found.isEmpty()) {
            throw new IllegalStateException("no " + program + " with " + portArgument + " found");
        }
        for (ProcessHandle process : found) {
            process.destroyForcibly();
            process.onExit()
                    .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .join();
        }
    }

    /**
     * The process's command line as the kernel shows it: redis-server rewrites its title to "binary
     * host:port" without the separators ProcessHandle.Info parses, which then reports no port (as Reaper's
     * pgrep -f, this reads /proc).
     */
    private static String commandLine(ProcessHandle process) {
        try {
            byte[] raw = java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (java.io.IOException | RuntimeException e) {
            return process.info().commandLine().orElse("");
        }
    }

    /** The handle of a server that was killed: its own stop finds nothing to stop, or fails on that. */
    private static void closeQuietly(AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            log.debug("closing the handle of a killed {}: {}", server.getClass().getSimpleName(), e.toString());
        }
    }

    /**
     * Stops everything fast, for a test JVM's exit: the broker and the S3 store are killed rather than
     * shut down, since their data is thrown away with the folder.
     */
    public synchronized void halt() {
        if (kafka != null) {
            kafka.process().kill();
        }
        if (s3 != null) {
            s3.process().kill();
        }
        close();
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("stopping {} failed", started.get(i).getClass().getSimpleName(), e);
            }
        }
        started.clear();
    }
}
