package io.barrage.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class InfraTest {

    private final Infra infra = TestInfra.get();

    @Test
    void kafkaHasEveryTopicWithItsPartitions() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", infra.kafkaBootstrapServers());
        try (Admin admin = Admin.create(props)) {
            var topics =
                    admin.describeTopics(Infra.TOPICS.keySet()).allTopicNames().get();
            Infra.TOPICS.forEach((name, partitions) ->
                    assertThat(topics.get(name).partitions()).hasSize(partitions));
        }
    }

    @Test
    void eachServiceUserReachesOnlyItsOwnSchema() throws Exception {
        Map<String, String> video = infra.springProperties(Service.VIDEO);
        try (Connection connection = DriverManager.getConnection(
                        video.get("spring.datasource.url"),
                        video.get("spring.datasource.username"),
                        video.get("spring.datasource.password"));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE probe (id BIGINT PRIMARY KEY)");
            statement.execute("INSERT INTO probe VALUES (1)");
            assertThatThrownBy(() -> statement.executeQuery("SELECT 1 FROM barrage_user.probe"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("denied");
            statement.execute("DROP TABLE probe");
        }
    }

    @Test
    void redisAnswersPingOnlyAfterTheGeneratedPassword() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", infra.redisPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(line(in)).startsWith("-NOAUTH");
            out.write(("AUTH " + infra.redisPassword() + "\r\nPING\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(line(in)).isEqualTo("+OK");
            assertThat(line(in)).isEqualTo("+PONG");
        }
        assertThat(infra.springProperties(Service.GATEWAY))
                .containsEntry("spring.data.redis.password", infra.redisPassword());
    }

    /** One RESP reply line, without its CRLF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            assertThat(b).as("the reply ended early").isNotNegative();
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Test
    void theBucketExists() throws Exception {
        MinioClient client = MinioClient.builder()
                .endpoint(infra.s3Endpoint())
                .credentials(infra.s3AccessKey(), infra.s3SecretKey())
                .build();
        assertThat(client.bucketExists(
                        BucketExistsArgs.builder().bucket(Infra.BUCKET).build()))
                .isTrue();
    }
}
