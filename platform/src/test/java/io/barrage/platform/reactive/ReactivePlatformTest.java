package io.barrage.platform.reactive;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.test.web.reactive.server.WebTestClient;

@WebFluxTest(properties = "barrage.service-token=3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e2b4d6a")
class ReactivePlatformTest {

    @Autowired
    WebTestClient client;

    @Test
    void aParameterOfTheWrongTypeIsInvalidRequestNamingIt() {
        client.get()
                .uri("/online?videoId=abc")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo("invalid-request")
                .jsonPath("$.field")
                .isEqualTo("videoId");
    }

    @Test
    void anApiExceptionKeepsItsStatusAndCode() {
        client.get()
                .uri("/gone")
                .exchange()
                .expectStatus()
                .isEqualTo(410)
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo("room-closed");
    }

    @Test
    void noRouteIsNotFound() {
        client.get()
                .uri("/nowhere")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.code")
                .isEqualTo("not-found");
    }

    @Test
    void theRequestIdIsEchoedAndSeenByTheHandler() {
        client.get()
                .uri("/online?videoId=1")
                .header("X-Request-Id", "req-12345678")
                .exchange()
                .expectHeader()
                .valueEquals("X-Request-Id", "req-12345678")
                .expectBody()
                .jsonPath("$.requestId")
                .isEqualTo("req-12345678");
    }
}
