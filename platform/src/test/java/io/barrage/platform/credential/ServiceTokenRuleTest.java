package io.barrage.platform.credential;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServiceTokenRuleTest {

    @Test
    void aGuessableTokenStopsTheStartAndSaysWhy() {
        assertThat(ServiceTokenRule.problemWith(null)).isEqualTo("is empty");
        assertThat(ServiceTokenRule.problemWith("  ")).isEqualTo("is empty");
        assertThat(ServiceTokenRule.problemWith("change-me-0123456789abcdef0123456789"))
                .contains("placeholder");
        assertThat(ServiceTokenRule.problemWith("0123456789abcdef")).contains("shorter than 32");
        assertThat(ServiceTokenRule.problemWith("abababababababababababababababababab"))
                .contains("fewer than 8 distinct");
        assertThatThrownBy(() -> new ServiceCredential("short"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("openssl rand -hex 24");
    }

    @Test
    void onlyTheExactTokenIsTheCredential() {
        ServiceCredential credential = new ServiceCredential("3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e2b4d6a");
        assertThat(ServiceTokenRule.problemWith(credential.token())).isNull();
        assertThat(credential.presentIn("3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e2b4d6a"))
                .isTrue();
        assertThat(credential.presentIn("3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e2b4d6"))
                .isFalse();
        assertThat(credential.presentIn(null)).isFalse();
    }
}
