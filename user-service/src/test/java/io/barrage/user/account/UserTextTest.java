package io.barrage.user.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.platform.text.UserText;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text policy for display names (docs/api.md, "Text"), the same as video-service's for titles. */
class UserTextTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\uD800",
                "x\uFFFE",
                "\uFDD0",
                "\u202Eadmin", // right-to-left override
                "ad\u2066min",
                "ad\u200Bmin", // zero-width space
                "admin\u200D", // trailing joiner
                "new\nline"
            })
    void displayNamesThatHideOrCannotBeStoredAreRefused(String name) {
        assertThat(UserText.acceptable(name, false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alice A.", "弹幕君", "\uD83D\uDC69\u200D\uD83D\uDCBB coder", "\u0645\u200C\u06CC"})
    void everydayNamesAreAccepted(String name) {
        assertThat(UserText.acceptable(name, false)).isTrue();
    }
}
