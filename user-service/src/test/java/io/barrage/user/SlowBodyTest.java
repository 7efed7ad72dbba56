package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A client that stops sending in the middle of a body does not hold a worker thread for long: Tomcat's
 * read timeout (server.tomcat.connection-timeout, 20 s in application.yml; Tomcat's own default was 60 s)
 * ends the request, and the connection closes.
 */
class SlowBodyTest extends UserServiceContext {

    @LocalServerPort
    int port;

    @Value("${server.tomcat.connection-timeout}")
    Duration readTimeout;

    @Test
    void aBodyThatFallsSilentIsCutOffAfterTheReadTimeout() throws Exception {
        assertThat(readTimeout).isLessThanOrEqualTo(Duration.ofSeconds(20));
        String head = "POST /api/v1/sessions HTTP/1.1\r\nHost: user-service\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            // Tomcat waits once for the body and once more while it drains the rest before closing: past
            // twice the bound and a margin, a socket still open means nothing cut the request off (with
            // Tomcat's own 60 s it stayed open for two minutes)
            socket.setSoTimeout(
                    (int) readTimeout.multipliedBy(2).plusSeconds(30).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write("{\"username\":\"slow".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String answer;
            try {
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the service still waits for the body after " + socket.getSoTimeout() + " ms");
            } catch (IOException reset) {
                answer = "";
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isLessThan(readTimeout.multipliedBy(2).plusSeconds(25));
            // closed, with a 4xx when the service could still answer; never a 5xx
            assertThat(answer)
                    .satisfiesAnyOf(
                            a -> assertThat(a).isEmpty(), a -> assertThat(a).matches("(?s)HTTP/1.1 4\\d\\d.*"));
        }
    }
}
