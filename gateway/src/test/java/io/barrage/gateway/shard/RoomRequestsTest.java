package io.barrage.gateway.shard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoomRequestsTest {

    @Test
    void aWebSocketKeyIsSixteenBytesInBase64() {
        assertThat(RoomRequests.validKey("dGhlIHNhbXBsZSBub25jZQ==")).isTrue();
        assertThat(RoomRequests.validKey(null)).isFalse();
        assertThat(RoomRequests.validKey("")).isFalse();
        assertThat(RoomRequests.validKey("garbage")).isFalse();
        assertThat(RoomRequests.validKey("x".repeat(24))).isFalse();
        assertThat(RoomRequests.validKey("x".repeat(300))).isFalse();
    }
}
