package io.barrage.danmaku.density;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelsAndPeaksTest {

    @Test
    void cjkTextIsLabelledByItsLongestCommonNgramAndLatinTextByItsWords() {
        assertThat(Labels.top(List.of("前方高能", "前方高能！！", "啊前方高能", "草", "草"), 3)).containsExactly("前方高能", "草");
        assertThat(Labels.top(List.of("What a GOAL", "goal!!", "GOAL of the year", "the the the"), 3))
                .containsExactly("goal");
        assertThat(Labels.top(List.of("only once", "nothing repeats"), 3)).isEmpty();
    }

    @Test
    void aPeakStandsWellAboveItsNeighbourhoodAndAFlatCurveHasNone() {
        long[] flat = {5, 5, 5, 5, 5, 5, 5, 5};
        assertThat(Peaks.find(flat, 3, 3, 2.0, 8)).isEmpty();
        long[] burst = {1, 1, 1, 12, 9, 1, 1, 1, 1, 1, 1, 8, 1};
        assertThat(Peaks.find(burst, 3, 5, 2.0, 8))
                .extracting(Peaks.Peak::bucket)
                .containsExactly(3, 11);
    }
}
