package io.barrage.video.storage;

import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.http.HttpUtils;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class StorageConfig {

    /** What the MinIO client uses by default for connecting, writing and reading. */
    static final Duration TIMEOUT = Duration.ofMinutes(5);

    /**
     * One OkHttp client for both MinIO clients, tuned for proxying video bytes:
     *
     * <ul>
     *   <li>No OkHttp read timeout: OkHttp enforces it with a watchdog entry scheduled and cancelled around
     *       every 8 KiB read (15–20 % of the streaming CPU in a profile). The same 5-minute limit on a stalled
     *       read is kept by the socket itself ({@code SO_TIMEOUT}, see {@link ReadTimeoutSockets}).
     *   <li>Idle keep-alive connections for every concurrent stream (OkHttp keeps 5 by default, so a sixth
     *       concurrent stream reconnects each time), and no 5-requests-per-host queue in front of the S3
     *       store (the async calls behind {@link MinioClient} go through OkHttp's dispatcher).
     * </ul>
     */
    @Bean
    OkHttpClient storageHttpClient() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(256);
        dispatcher.setMaxRequestsPerHost(256);
        long timeout = TIMEOUT.toMillis();
        return HttpUtils.newDefaultHttpClient(timeout, timeout, timeout)
                .newBuilder()
                .readTimeout(0, TimeUnit.MILLISECONDS)
                .socketFactory(new ReadTimeoutSockets((int) timeout))
                .connectionPool(new ConnectionPool(64, 5, TimeUnit.MINUTES))
                .dispatcher(dispatcher)
                .build();
    }

    @Bean
    MinioClient minioClient(S3Properties properties, OkHttpClient storageHttpClient) {
        return MinioClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .httpClient(storageHttpClient)
                .build();
    }

    /** The multipart calls (create, upload part, complete, abort) are public only on the async client. */
    @Bean
    MinioAsyncClient minioAsyncClient(S3Properties properties, OkHttpClient storageHttpClient) {
        return MinioAsyncClient.builder()
                .endpoint(properties.endpoint())
                .credentials(properties.accessKey(), properties.secretKey())
                .httpClient(storageHttpClient)
                .build();
    }

    /**
     * Plain sockets whose reads time out after {@code readTimeoutMillis} even when asked for no timeout:
     * OkHttp sets {@code SO_TIMEOUT} to its own read timeout (here 0, "none"), and the kernel-side limit
     * costs nothing per read, unlike OkHttp's watchdog.
     */
    static final class ReadTimeoutSockets extends SocketFactory {

        private final int readTimeoutMillis;

        ReadTimeoutSockets(int readTimeoutMillis) {
            this.readTimeoutMillis = readTimeoutMillis;
        }

        @Override
        public Socket createSocket() throws SocketException {
            Socket socket = new Socket() {
                @Override
                public synchronized void setSoTimeout(int timeout) throws SocketException {
                    super.setSoTimeout(timeout == 0 ? readTimeoutMillis : timeout);
                }
            };
            socket.setSoTimeout(0);
            return socket;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket socket = createSocket();
            socket.bind(new InetSocketAddress(localHost, localPort));
            socket.connect(new InetSocketAddress(host, port));
            return socket;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            Socket socket = createSocket();
            socket.bind(new InetSocketAddress(localAddress, localPort));
            socket.connect(new InetSocketAddress(address, port));
            return socket;
        }

        private Socket connected(InetSocketAddress address) throws IOException {
            Socket socket = createSocket();
            socket.connect(address);
            return socket;
        }
    }
}
