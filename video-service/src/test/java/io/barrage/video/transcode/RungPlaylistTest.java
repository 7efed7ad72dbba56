package io.barrage.video.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RungPlaylistTest {

    private static final String FFMPEG_SO_FAR = """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:4
            #EXT-X-MEDIA-SEQUENCE:0
            #EXT-X-PLAYLIST-TYPE:EVENT
            #EXTINF:4.000000,
            seg_00000.ts
            #EXTINF:4.000000,
            seg_00001.ts
            """;

    @Test
    void theSegmentsFfmpegHasListedAreReadWithTheirDurations() {
        assertThat(RungPlaylist.parse(FFMPEG_SO_FAR))
                .containsExactly(
                        new RungPlaylist.Segment("seg_00000.ts", 4.0), new RungPlaylist.Segment("seg_00001.ts", 4.0));
        assertThat(RungPlaylist.ended(FFMPEG_SO_FAR)).isFalse();
        assertThat(RungPlaylist.ended(FFMPEG_SO_FAR + "#EXTINF:1.5,\nseg_00002.ts\n#EXT-X-ENDLIST\n"))
                .isTrue();
    }

    @Test
    void aSegmentNameFfmpegWouldNeverWriteIsRefused() {
        assertThatThrownBy(() -> RungPlaylist.parse("#EXTINF:4,\n../../etc/passwd\n"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RungPlaylist.parse("#EXTINF:4,\nhttps://elsewhere/seg_00000.ts\n"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGrowingPlaylistStartsAtTheBeginningAndOnlyEverGainsLines() {
        List<RungPlaylist.Segment> two = RungPlaylist.parse(FFMPEG_SO_FAR);
        String growing = RungPlaylist.of(two, 4, false);
        assertThat(growing)
                .startsWith("#EXTM3U\n")
                .contains("#EXT-X-PLAYLIST-TYPE:EVENT\n", "#EXT-X-START:TIME-OFFSET=0\n", "#EXT-X-TARGETDURATION:4\n")
                .doesNotContain("#EXT-X-ENDLIST");
        String three = RungPlaylist.of(
                RungPlaylist.parse(FFMPEG_SO_FAR + "#EXTINF:1.5,\nseg_00002.ts\n#EXT-X-ENDLIST\n"), 4, true);
        // what a player already read stays as it was: the complete playlist is the growing one plus lines
        assertThat(three).startsWith(growing).endsWith("#EXTINF:1.500000,\nseg_00002.ts\n#EXT-X-ENDLIST\n");
        assertThat(RungPlaylist.parse(three)).hasSize(3);
    }
}
