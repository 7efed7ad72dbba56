package io.barrage.video.playback;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.video.playback.ByteRange.Outcome;
import org.junit.jupiter.api.Test;

class ByteRangeTest {

    @Test
    void parsesTheThreeSingleRangeForms() {
        assertThat(ByteRange.parse("bytes=0-99", 1000).range()).isEqualTo(new ByteRange(0, 99));
        assertThat(ByteRange.parse("bytes=900-", 1000).range()).isEqualTo(new ByteRange(900, 999));
        assertThat(ByteRange.parse("bytes=-100", 1000).range()).isEqualTo(new ByteRange(900, 999));
        assertThat(ByteRange.parse("bytes=990-5000", 1000).range()).isEqualTo(new ByteRange(990, 999));
        assertThat(ByteRange.parse("bytes=-5000", 1000).range()).isEqualTo(new ByteRange(0, 999));
    }

    @Test
    void unsatisfiableAndIgnoredRanges() {
        assertThat(ByteRange.parse("bytes=1000-", 1000).outcome()).isEqualTo(Outcome.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=-0", 1000).outcome()).isEqualTo(Outcome.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=99999999999999999999999-", 1000).outcome())
                .isEqualTo(Outcome.UNSATISFIABLE);
        assertThat(ByteRange.parse("bytes=5-1", 1000).outcome()).isEqualTo(Outcome.WHOLE);
        assertThat(ByteRange.parse("bytes=0-1,4-5", 1000).outcome()).isEqualTo(Outcome.WHOLE);
        assertThat(ByteRange.parse("items=0-1", 1000).outcome()).isEqualTo(Outcome.WHOLE);
        assertThat(ByteRange.parse("bytes=abc", 1000).outcome()).isEqualTo(Outcome.WHOLE);
    }
}
