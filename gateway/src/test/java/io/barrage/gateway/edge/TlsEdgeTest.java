package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Service;
import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Behind TLS (barrage.gateway.tls.enabled, set by the chart's tls value): HSTS on every answer, and the
 * session cookie is Secure whatever the service that set it was configured with.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TlsEdgeTest {

    private static final DisposableServer backend = HttpServer.create()
            .bindAddress(() -> new InetSocketAddress("127.0.0.1", 0))
            .route(routes -> routes.route(
                    request -> true,
                    (request, response) -> request.receive()
                            .then(response.header("Content-Type", "application/json")
                                    // as user-service answers a login without barrage.session.cookie-secure
                                    .addHeader("Set-Cookie", "BARRAGE_SESSION=abc; Path=/; HttpOnly; SameSite=Lax")
                                    .addHeader("Set-Cookie", "OTHER=1; Path=/; secure")
                                    .sendString(Mono.just("{}"))
                                    .then())))
            .bindNow();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        TestInfra.springProperties(Service.GATEWAY).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("management.server.port", () -> "0");
        registry.add("barrage.gateway.tls.enabled", () -> "true");
        for (String service : new String[] {"user-service", "video-service", "danmaku-service", "push-service"}) {
            registry.add(
                    "spring.cloud.discovery.client.simple.instances." + service + "[0].uri",
                    () -> "http://127.0.0.1:" + backend.port());
        }
    }

    @AfterAll
    static void stopBackend() {
        backend.disposeNow();
    }

    @LocalServerPort
    int port;

    private final HttpClient http = TestHttp.client();

    @Test
    void everyAnswerCarriesHstsAndEveryCookieIsSecure() throws Exception {
        var login = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sessions"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.headers().allValues("Strict-Transport-Security")).containsExactly("max-age=31536000");
        assertThat(login.headers().allValues("Set-Cookie"))
                .containsExactlyInAnyOrder(
                        "BARRAGE_SESSION=abc; Path=/; HttpOnly; SameSite=Lax; Secure", "OTHER=1; Path=/; secure");

        var page = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
        var problem = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/v1/users/1"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(problem.statusCode()).isEqualTo(404);
        assertThat(problem.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
    }
}
