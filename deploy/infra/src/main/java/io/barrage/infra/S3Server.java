package io.barrage.infra;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

/** An S3-compatible store (s3proxy over the filesystem) in its own JVM, for the MinIO client. */
final class S3Server implements AutoCloseable {

    private final ChildJvm jvm;
    private final int port;
    private final String accessKey;
    private final String secretKey;

    private S3Server(ChildJvm jvm, int port, String accessKey, String secretKey) {
        this.jvm = jvm;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    static S3Server start(Path root, Path dataDir, int port, String accessKey, String secretKey)
            throws IOException, TimeoutException {
        Path objects = Files.createDirectories(dataDir.resolve("objects"));
        Path config = dataDir.resolve("s3proxy.conf");
        Files.writeString(config, """
                s3proxy.endpoint=http://127.0.0.1:%d
                s3proxy.authorization=aws-v2-or-v4
                s3proxy.identity=%s
                s3proxy.credential=%s
                jclouds.provider=filesystem-nio2
                jclouds.filesystem.basedir=%s
                """.formatted(port, accessKey, secretKey, objects));
        ChildJvm jvm = ChildJvm.start(
                "s3",
                RepoRoot.serverClasspath(root, "s3"),
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1"),
                "org.gaul.s3proxy.Main",
                List.of("--properties", config.toString()),
                dataDir.resolve("s3proxy.log"));
        S3Server server = new S3Server(jvm, port, accessKey, secretKey);
        try {
            LocalPorts.await("s3 store", Duration.ofSeconds(60), () -> {
                if (!jvm.isAlive()) {
                    throw new IllegalStateException("s3proxy exited:\n" + jvm.tail());
                }
                return LocalPorts.listening(port);
            });
        } catch (RuntimeException | TimeoutException e) {
            server.close();
            throw e;
        }
        return server;
    }

    int port() {
        return port;
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    String accessKey() {
        return accessKey;
    }

    String secretKey() {
        return secretKey;
    }

    void createBucket(String bucket) throws Exception {
        MinioClient client = MinioClient.builder()
                .endpoint(endpoint())
                .credentials(accessKey, secretKey)
                .build();
        if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
    }

    ChildJvm process() {
        return jvm;
    }

    @Override
    public void close() {
        jvm.close();
    }
}
