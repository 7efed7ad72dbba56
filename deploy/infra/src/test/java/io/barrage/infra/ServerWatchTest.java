package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/local/up does when a server dies: Redis, MariaDB and Kafka, each killed with SIGKILL from
 * outside, are running again on their ports and data within seconds, and the services' credentials still
 * work. Before, a dead server stayed dead until the whole stack was restarted. A server killed through
 * {@link Infra} (the chaos test's way) is left to whoever killed it.
 */
class ServerWatchTest {

    private static final Supervisor.Backoff FAST =
            new Supervisor.Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30));

    @TempDir
    Path data;

    @Test
    void aServerKilledFromOutsideIsStartedAgainOnItsPortWithItsData() throws Exception {
        try (Infra infra = Infra.start(data, Infra.ServerPorts.random());
                ServerWatch watch = new ServerWatch(infra, FAST)) {
            Map<String, String> video = infra.springProperties(Service.VIDEO);
            execute(video, "CREATE TABLE survivor (id BIGINT PRIMARY KEY)", "INSERT INTO survivor VALUES (42)");

            for (Infra.Server server :
                    new Infra.Server[] {Infra.Server.REDIS, Infra.Server.MARIADB, Infra.Server.KAFKA}) {
                infra.processes(server).forEach(ProcessHandle::destroyForcibly);
                await(server + " restarted", () -> watch.restarts(server) == 1 && infra.alive(server));
            }

            assertThat(redisPing(infra)).isEqualTo("+PONG");
            assertThat(firstLong(video, "SELECT id FROM survivor"))
                    .as("the row written before the kill")
                    .isEqualTo(42);
            Properties kafka = new Properties();
            kafka.put("bootstrap.servers", infra.kafkaBootstrapServers());
            try (Admin admin = Admin.create(kafka)) {
                assertThat(admin.listTopics().names().get()).containsAll(Infra.TOPICS.keySet());
            }

            infra.killRedis(); // the chaos test's kill: the test restarts it, the watch does not
            Thread.sleep(FAST.first().multipliedBy(30));
            assertThat(infra.alive(Infra.Server.REDIS)).isFalse();
            assertThat(watch.restarts(Infra.Server.REDIS)).isEqualTo(1);
        }
    }

    private static String redisPing(Infra infra) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", infra.redisPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("AUTH " + infra.redisPassword() + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String replies = new String(in.readNBytes("+OK\r\n+PONG\r\n".length()), StandardCharsets.US_ASCII);
            assertThat(replies).startsWith("+OK\r\n");
            return replies.substring(5).strip();
        }
    }

    private static void execute(Map<String, String> props, String... statements) throws Exception {
        try (Connection connection = connect(props);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    private static long firstLong(Map<String, String> props, String query) throws Exception {
        try (Connection connection = connect(props);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            assertThat(rows.next()).isTrue();
            return rows.getLong(1);
        }
    }

    private static Connection connect(Map<String, String> props) throws Exception {
        return DriverManager.getConnection(
                props.get("spring.datasource.url"),
                props.get("spring.datasource.username"),
                props.get("spring.datasource.password"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
