package io.barrage.video.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.platform.text.UserText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text policy for titles and descriptions (docs/api.md, "Text"). */
class UserTextTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\uD800", // lone high surrogate
                "a\uDC00b", // lone low surrogate
                "x\uFFFE",
                "\uFFFF",
                "\uFDD0",
                "\uD83F\uDFFE", // U+1FFFE
                "\u202Egnp.exe", // right-to-left override
                "a\u2066b\u2069", // isolates
                "zero\u200Bwidth",
                "\uFEFFbom",
                "soft\u00ADhyphen",
                "bell\u0007",
                "line\u2028sep",
                "\u200Dlead",
                "trail\u200C",
                "double\u200D\u200Djoin",
                "space \u200Dbefore"
            })
    void hiddenOrUnkeepableCharactersAreRefused(String text) {
        assertThat(UserText.acceptable(text, false)).isFalse();
        assertThat(UserText.acceptable(text, true)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Hello, world",
                "弹幕 😀",
                "\uD83D\uDC69\u200D\uD83D\uDCBB", // woman technologist: an emoji ZWJ sequence
                "\u0645\u200C\u06CC", // Persian, ZWNJ inside a word
                "\u0915\u094D\u200D\u0937", // Devanagari, ZWJ inside a conjunct
                "שלום עולם" // right-to-left text itself is fine
            })
    void everydayTextAndJoinersInsideWordsAreAccepted(String text) {
        assertThat(UserText.acceptable(text, false)).isTrue();
    }

    @Test
    void onlyMultiLineTextMayBreakLines() {
        assertThat(UserText.acceptable("first line\nsecond\tcolumn\r\n", true)).isTrue();
        assertThat(UserText.acceptable("first line\nsecond", false)).isFalse();
    }
}
