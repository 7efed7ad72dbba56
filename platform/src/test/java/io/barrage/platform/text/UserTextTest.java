package io.barrage.platform.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.platform.text.UserText.Verdict;
import org.junit.jupiter.api.Test;

class UserTextTest {

    @Test
    void visibleTextAndJoinedEmojiAreKept() {
        assertThat(UserText.check("前方高能 🎉", false)).isEqualTo(Verdict.OK);
        assertThat(UserText.check("👩\u200D💻", false)).isEqualTo(Verdict.OK);
    }

    @Test
    void whatTheStoreCannotKeepIsUnkeepable() {
        assertThat(UserText.check("a\uD800b", false)).isEqualTo(Verdict.UNKEEPABLE);
        assertThat(UserText.check("a\uFFFE", false)).isEqualTo(Verdict.UNKEEPABLE);
    }

    @Test
    void whatHidesTextIsRefusedButLineBreaksPassInMultiLineText() {
        assertThat(UserText.check("a\u202Eb", false)).isEqualTo(Verdict.HIDDEN);
        assertThat(UserText.check("\u200Dx", false)).isEqualTo(Verdict.HIDDEN);
        assertThat(UserText.acceptable("one\ntwo", false)).isFalse();
        assertThat(UserText.acceptable("one\ntwo", true)).isTrue();
    }
}
