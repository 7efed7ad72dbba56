package io.barrage.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PublicPortGuardTest {

    @Test
    void aPathSegmentMustDecodeToUtf8WithoutControlCharacters() {
        assertThat(PublicPortGuard.decodesCleanly("42")).isTrue();
        assertThat(PublicPortGuard.decodesCleanly("%E5%BC%B9%E5%B9%95")).isTrue();
        assertThat(PublicPortGuard.decodesCleanly("a%20b")).isTrue();
        // the fuzz test's finds: each reached a service's Tomcat, which answered with an HTML page
        assertThat(PublicPortGuard.decodesCleanly("%FF")).isFalse();
        assertThat(PublicPortGuard.decodesCleanly("%00")).isFalse();
        assertThat(PublicPortGuard.decodesCleanly("%ED%A0%80")).isFalse();
        assertThat(PublicPortGuard.decodesCleanly("%C0%80")).isFalse();
        assertThat(PublicPortGuard.decodesCleanly("%zz")).isFalse();
        assertThat(PublicPortGuard.decodesCleanly("%")).isFalse();
    }

    @Test
    void anAcceptHeaderThatIsNoListOfMediaTypesIsUnreadable() {
        assertThat(UnreadableAcceptHeader.readable(java.util.List.of("application/json, */*;q=0.5")))
                .isTrue();
        assertThat(UnreadableAcceptHeader.readable(java.util.List.of("garbage")))
                .isFalse();
        assertThat(UnreadableAcceptHeader.readable(java.util.List.of("application/json;q=x")))
                .isFalse();
    }
}
