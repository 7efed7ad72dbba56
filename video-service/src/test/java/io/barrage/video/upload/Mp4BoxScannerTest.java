package io.barrage.video.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Pure parsing logic, so no infrastructure: the box walker against hand-made files. */
class Mp4BoxScannerTest {

    @Test
    void readsDurationAndSizeWhateverTheChunking() throws Exception {
        byte[] file = file(mvhdV0(600, 1500), box("mdat", new byte[10_000]));
        for (int chunk : new int[] {1, 3, 7, 8, 4096, file.length}) {
            Mp4BoxScanner scanner = new Mp4BoxScanner(1 << 20);
            for (int i = 0; i < file.length; i += chunk) {
                scanner.accept(file, i, Math.min(chunk, file.length - i));
            }
            assertThat(scanner.finish()).isEqualTo(new Mp4Info(2500, 1280, 720));
        }
    }

    @Test
    void understandsVersion1HeadersAndLargeSizeBoxes() throws Exception {
        ByteBuffer mvhd = ByteBuffer.allocate(112);
        mvhd.putInt(0x01000000).putLong(0).putLong(0).putInt(90_000).putLong(90_000L * 3600);
        byte[] largeMdat = concat(
                u32(1), ascii("mdat"), ByteBuffer.allocate(8).putLong(16 + 5).array(), new byte[5]);
        byte[] file = concat(ftyp(), largeMdat, box("moov", box("mvhd", mvhd.array())));
        assertThat(scan(file).durationMs()).isEqualTo(3_600_000);
    }

    @Test
    void aBoxRunningToTheEndOfTheFileIsFine() throws Exception {
        byte[] file = concat(ftyp(), box("moov", mvhdV0(1000, 42)), u32(0), ascii("mdat"), new byte[100]);
        assertThat(scan(file).durationMs()).isEqualTo(42);
    }

    @Test
    void rejectsTruncatedAndMalformedFiles() {
        byte[] good = file(mvhdV0(1000, 1000), box("mdat", new byte[100]));
        assertThatThrownBy(() -> scan(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(InvalidVideoException.class)
                .hasMessageContaining("ends inside");
        assertThatThrownBy(() -> scan(concat(ftyp(), box("mdat", new byte[10]))))
                .hasMessageContaining("no moov");
        assertThatThrownBy(() -> scan(concat(ftyp(), u32(3), ascii("free")))).hasMessageContaining("impossible size");
        assertThatThrownBy(() -> scan(concat(ftyp(), box("moov", box("trak", new byte[0])))))
                .hasMessageContaining("no mvhd");
    }

    @Test
    void boundsTheMovieHeaderItKeeps() {
        byte[] file = file(mvhdV0(1000, 1000), box("free", new byte[4000]));
        Mp4BoxScanner scanner = new Mp4BoxScanner(64);
        scanner.accept(file, 0, file.length);
        assertThatThrownBy(scanner::finish).hasMessageContaining("larger than 64");
    }

    private static Mp4Info scan(byte[] file) throws InvalidVideoException {
        Mp4BoxScanner scanner = new Mp4BoxScanner(1 << 20);
        scanner.accept(file, 0, file.length);
        return scanner.finish();
    }

    private static byte[] file(byte[] mvhd, byte[] after) {
        ByteBuffer tkhd = ByteBuffer.allocate(84);
        tkhd.putInt(3).position(76);
        tkhd.putInt(1280 << 16).putInt(720 << 16);
        byte[] hdlr = box("hdlr", concat(new byte[8], ascii("vide"), new byte[13]));
        byte[] trak = box("trak", concat(box("tkhd", tkhd.array()), box("mdia", hdlr)));
        return concat(ftyp(), box("moov", concat(mvhd, trak)), after);
    }

    private static byte[] mvhdV0(int timescale, int duration) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.putInt(0).putInt(0).putInt(0).putInt(timescale).putInt(duration);
        return box("mvhd", b.array());
    }

    private static byte[] ftyp() {
        return box("ftyp", concat(ascii("isom"), u32(0), ascii("isom")));
    }

    private static byte[] box(String type, byte[] body) {
        return concat(u32(8 + body.length), ascii(type), body);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
