package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/** Which address counts as the client's, for rate limits and login counters. */
class ClientAddressTest {

    private final ClientAddress direct = new ClientAddress(new ClientAddress.Properties(List.of()));
    private final ClientAddress behindIngress =
            new ClientAddress(new ClientAddress.Properties(List.of("10.0.0.0/8", "192.168.1.7")));

    @Test
    void withoutTrustedProxiesTheForwardedHeaderIsIgnored() {
        var request = from("203.0.113.9", "1.2.3.4");
        assertThat(direct.of(request)).isEqualTo("203.0.113.9");
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedHopIsTheClient() {
        // the client claimed 1.2.3.4; the ingress appended what it saw, 198.51.100.20
        assertThat(behindIngress.of(from("10.1.2.3", "1.2.3.4, 198.51.100.20"))).isEqualTo("198.51.100.20");
        assertThat(behindIngress.of(from("10.1.2.3", "198.51.100.20, 192.168.1.7, 10.9.9.9")))
                .isEqualTo("198.51.100.20");
        assertThat(behindIngress.of(from("10.1.2.3", null))).isEqualTo("10.1.2.3");
        assertThat(behindIngress.of(from("10.1.2.3", "not-an-ip"))).isEqualTo("10.1.2.3");
        // a peer outside the trusted blocks is the client, whatever it forwards
        assertThat(behindIngress.of(from("192.168.1.8", "1.2.3.4"))).isEqualTo("192.168.1.8");
    }

    private static MockServerHttpRequest from(String peer, String forwardedFor) {
        var builder = MockServerHttpRequest.get("/api/v1/sessions").remoteAddress(new InetSocketAddress(peer, 40000));
        if (forwardedFor != null) {
            builder.header("X-Forwarded-For", forwardedFor);
        }
        return builder.build();
    }
}
