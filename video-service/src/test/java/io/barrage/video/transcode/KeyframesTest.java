package io.barrage.video.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyframesTest {

    @Test
    void oneKeyframeIn12SecondsIsA12SecondGap() {
        StringBuilder csv = new StringBuilder();
        for (int frame = 0; frame < 120; frame++) {
            csv.append(String.format(
                    java.util.Locale.ROOT, "%.6f,%.6f,%s%n", frame / 10.0, frame / 10.0, frame == 0 ? "K_" : "__"));
        }
        assertThat(Keyframes.longestGap(csv.toString(), 0.1))
                .isCloseTo(12.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void theLongestGapCountsBetweenKeyframesInPresentationOrderAndToTheLastPacket() {
        // B-frames: packets in decode order, presentation times out of order; pts N/A falls back to dts
        String csv = "0.000000,-0.100000,K_\n0.300000,0.000000,__\nN/A,3.000000,K_\n"
                + "4.000000,4.000000,__\n7.000000,7.000000,K_\n8.500000,8.500000,__\n";
        assertThat(Keyframes.longestGap(csv, 0.5)).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void noKeyframeOrNothingReadableIsAnUnboundedGap() {
        assertThat(Keyframes.longestGap("0.0,0.0,__\n", 0.1)).isInfinite();
        assertThat(Keyframes.longestGap("", 0.1)).isInfinite();
        assertThat(Keyframes.longestGap("garbage\n\n", 0.1)).isInfinite();
    }
}
