package io.barrage.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** A real single-node Kafka broker in KRaft combined mode, in its own JVM. */
final class KafkaServer implements AutoCloseable {

    private final ChildJvm jvm;
    private final int port;
    private final int controllerPort;

    private KafkaServer(ChildJvm jvm, int port, int controllerPort) {
        this.jvm = jvm;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    int port() {
        return port;
    }

    int controllerPort() {
        return controllerPort;
    }

    static KafkaServer start(Path root, Path dataDir, int port, int controllerPort)
            throws IOException, InterruptedException, TimeoutException {
        String classpath = RepoRoot.serverClasspath(root, "kafka");
        Path logDir = dataDir.resolve("log");
        Files.createDirectories(logDir);
        Path config = dataDir.resolve("server.properties");
        Files.writeString(config, """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@127.0.0.1:%d
                listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d
                advertised.listeners=PLAINTEXT://127.0.0.1:%d
                controller.listener.names=CONTROLLER
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                inter.broker.listener.name=PLAINTEXT
                log.dirs=%s
                num.partitions=3
                auto.create.topics.enable=false
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=6
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                min.insync.replicas=1
                group.initial.rebalance.delay.ms=0
                log.retention.hours=168
                """.formatted(controllerPort, port, controllerPort, port, logDir));
        Path kafkaLog = dataDir.resolve("kafka.log");
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ChildJvm.runToCompletion(
                    "kafka-format",
                    classpath,
                    "kafka.tools.StorageTool",
                    List.of("format", "-t", "bArRaGeLoCaLcLuStEr01A", "-c", config.toString(), "--ignore-formatted"),
                    kafkaLog);
        }
        ChildJvm jvm = ChildJvm.start(
                "kafka",
                classpath,
                List.of("-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Dlog4j2.configurationFile=" + writeLog4j(dataDir)),
                "kafka.Kafka",
                List.of(config.toString()),
                kafkaLog);
        KafkaServer server = new KafkaServer(jvm, port, controllerPort);
        try {
            LocalPorts.await("kafka", Duration.ofSeconds(90), () -> {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException("kafka exited:\n" + jvm.tail());
                }
                return server.clusterReady();
            });
        } catch (RuntimeException | TimeoutException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static Path writeLog4j(Path dataDir) throws IOException {
        Path file = dataDir.resolve("log4j2.properties");
        Files.writeString(file, """
                rootLogger.level=WARN
                rootLogger.appenderRef.out.ref=out
                appender.out.type=Console
                appender.out.name=out
                appender.out.layout.type=PatternLayout
                appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5p [%c{1}] %m%n
                logger.started.name=kafka.server.KafkaRaftServer
                logger.started.level=INFO
                """);
        return file;
    }

    private boolean clusterReady() {
        if (!LocalPorts.listening(port)) {
            return false;
        }
        try (Admin admin = admin()) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Creates the topics that do not exist yet; existing ones keep their data. */
    void createTopics(Map<String, Integer> partitionsByTopic) throws ExecutionException, InterruptedException {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = partitionsByTopic.entrySet().stream()
                    .filter(e -> !existing.contains(e.getKey()))
                    .map(e -> {
                        NewTopic topic = new NewTopic(e.getKey(), e.getValue(), (short) 1);
                        return Infra.COMPACTED.contains(e.getKey())
                                ? topic.configs(Map.of("cleanup.policy", "compact"))
                                : topic;
                    })
                    .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(props);
    }

    ChildJvm process() {
        return jvm;
    }

    @Override
    public void close() {
        jvm.close();
    }
}
