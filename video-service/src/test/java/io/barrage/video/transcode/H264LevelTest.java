package io.barrage.video.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class H264LevelTest {

    private static final int VERYFAST = H264Level.frames("veryfast");

    @Test
    void eachRungOfA30FpsLadderGetsTheLowestLevelThatAdmitsIt() {
        assertThat(H264Level.of(426, 240, 30, 500, VERYFAST)).isEqualTo(21);
        assertThat(H264Level.of(640, 360, 30, 900, VERYFAST)).isEqualTo(30);
        assertThat(H264Level.of(854, 480, 30, 1400, VERYFAST)).isEqualTo(31);
        assertThat(H264Level.of(1280, 720, 30, 3000, VERYFAST)).isEqualTo(31);
        assertThat(H264Level.of(1920, 1080, 30, 6000, VERYFAST)).isEqualTo(40);
    }

    @Test
    void aHigherFrameRateOrMoreReferenceFramesNeedAHigherLevel() {
        assertThat(H264Level.of(1280, 720, 60, 3000, VERYFAST)).isEqualTo(32);
        assertThat(H264Level.of(1920, 1080, 60, 6000, VERYFAST)).isEqualTo(42);
        assertThat(H264Level.of(1920, 1080, 30, 6000, H264Level.frames("slow"))).isEqualTo(50);
    }

    @Test
    void theLevelIsSpelledAsX264TakesItAndTheCodecsStringCarriesIt() {
        assertThat(H264Level.name(31)).isEqualTo("3.1");
        assertThat(TranscodeWorker.avc1("High", 40)).isEqualTo("avc1.640028");
        assertThat(TranscodeWorker.aac("LC")).isEqualTo("mp4a.40.2");
        assertThat(TranscodeWorker.aac("HE-AACv2")).isEqualTo("mp4a.40.29");
    }
}
