package io.barrage.video.transcode;

/**
 * The H.264 level a rung is encoded at (ITU-T H.264 Table A-1): the lowest whose frame size, macroblock
 * rate, bitrate (High profile: 1.25 × the table's) and decoded picture buffer (the preset's reference
 * frames, plus two for B-frame reordering) admit the rung. Encoding at a level given explicitly, rather than one x264 picks, tells the master
 * playlist's CODECS without probing each rung's first segment: one process fewer per rung and job.
 */
final class H264Level {

    /** level_idc, MaxMBPS, MaxFS, MaxBR (kbit/s, Baseline/Main), MaxDpbMbs. */
    private static final long[][] TABLE = {
        {10, 1_485, 99, 64, 396},
        {11, 3_000, 396, 192, 900},
        {12, 6_000, 396, 384, 2_376},
        {13, 11_880, 396, 768, 2_376},
        {20, 11_880, 396, 2_000, 2_376},
        {21, 19_800, 792, 4_000, 4_752},
        {22, 20_250, 1_620, 4_000, 8_100},
        {30, 40_500, 1_620, 10_000, 8_100},
        {31, 108_000, 3_600, 14_000, 18_000},
        {32, 216_000, 5_120, 20_000, 20_480},
        {40, 245_760, 8_192, 20_000, 32_768},
        {41, 245_760, 8_192, 50_000, 32_768},
        {42, 522_240, 8_704, 50_000, 34_816},
        {50, 589_824, 22_080, 135_000, 110_400},
        {51, 983_040, 36_864, 240_000, 184_320},
        {52, 2_073_600, 36_864, 240_000, 184_320},
        {60, 4_177_920, 139_264, 240_000, 696_320},
        {61, 8_355_840, 139_264, 480_000, 696_320},
        {62, 16_711_680, 139_264, 800_000, 696_320}
    };

    private H264Level() {}

    /**
     * level_idc (e.g. 31 for 3.1) for a {@code width}×{@code height} rung at {@code fps} and {@code
     * maxrateKbps}, holding {@code frames} decoded pictures.
     */
    static int of(int width, int height, double fps, int maxrateKbps, int frames) {
        long macroblocks = (long) Math.ceil(width / 16.0) * (long) Math.ceil(height / 16.0);
        double rate = macroblocks * Math.max(fps, 1);
        for (long[] level : TABLE) {
            if (macroblocks <= level[2]
                    && rate <= level[1]
                    && maxrateKbps <= level[3] * 5 / 4
                    && macroblocks * frames <= level[4]) {
                return (int) level[0];
            }
        }
        return 62;
    }

    /** The pictures x264's {@code preset} keeps: its reference frames, plus two for B-frame reordering. */
    static int frames(String preset) {
        int references = switch (preset) {
            case "ultrafast", "superfast", "veryfast" -> 1;
            case "faster", "fast" -> 2;
            case "medium" -> 3;
            case "slow" -> 5;
            case "slower" -> 8;
            default -> 16;
        };
        return references + 2;
    }

    /** x264's spelling of a level_idc: "3.1". */
    static String name(int level) {
        return level / 10 + "." + level % 10;
    }
}
