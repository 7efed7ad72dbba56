package io.barrage.push.room;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EncodedTextTest {

    /** A Tomcat upgrade that moves its byte send path must be noticed: viewers would silently get slower. */
    @Test
    void tomcatsByteSendPathIsReachable() {
        assertThat(EncodedText.available()).isTrue();
    }
}
