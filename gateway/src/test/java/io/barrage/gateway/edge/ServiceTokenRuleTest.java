package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barrage.gateway.GatewayApplication;
import io.barrage.platform.credential.ServiceTokenRule;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The platform's rule, as the gateway applies it at start. */
class ServiceTokenRuleTest {

    @Test
    void emptyPlaceholderShortOrMonotonousTokensAreRefused() {
        assertThat(ServiceTokenRule.problemWith(null)).isEqualTo("is empty");
        assertThat(ServiceTokenRule.problemWith("  ")).isEqualTo("is empty");
        assertThat(ServiceTokenRule.problemWith("change-me")).contains("placeholder");
        assertThat(ServiceTokenRule.problemWith("CHANGE-ME-to-something-long-and-random-0123"))
                .contains("placeholder");
        assertThat(ServiceTokenRule.problemWith("0123456789abcdef")).contains("shorter than 32");
        assertThat(ServiceTokenRule.problemWith("a".repeat(64))).contains("distinct");
    }

    @Test
    void aGeneratedTokenIsAccepted() {
        // the shapes the local stack (48 hex digits) and the chart (40 letters and digits) generate
        assertThat(ServiceTokenRule.problemWith("3f9a1c07d2b84e6a9c0f5e2d71b38a4c6e9d02f1a7b5c3e8"))
                .isNull();
        assertThat(ServiceTokenRule.problemWith("Qm7xT2vLr9KcP4sWn8YbZ3hJd6FgA1eUo5iRt0Vy"))
                .isNull();
    }

    @Test
    void theGatewayDoesNotStartWithAPlaceholderToken() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(GatewayApplication.class)
                        .run(
                                "--barrage.service-token=change-me",
                                "--server.port=0",
                                "--management.server.port=0",
                                "--spring.cloud.nacos.discovery.enabled=false")
                        .close())
                .rootCause()
                .hasMessageContaining("barrage.service-token")
                .hasMessageContaining("placeholder");
    }
}
