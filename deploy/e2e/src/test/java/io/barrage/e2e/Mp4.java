package io.barrage.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A minimal ISO base media file (ftyp, moov with mvhd and a video tkhd, mdat): enough for the server's
 * type check and duration probe, made here so the test needs no ffmpeg.
 */
final class Mp4 {

    private Mp4() {}

    static byte[] of(int durationMs, int width, int height, int payloadBytes) {
        byte[] ftyp = box("ftyp", concat(ascii("isom"), int32(512), ascii("isomiso2mp41")));
        ByteBuffer mvhd = ByteBuffer.allocate(100);
        mvhd.putInt(0); // version 0, flags
        mvhd.putInt(0).putInt(0); // creation, modification
        mvhd.putInt(1000).putInt(durationMs); // timescale, duration
        mvhd.putInt(0x00010000).putShort((short) 0x0100); // rate, volume
        mvhd.position(mvhd.position() + 10); // reserved
        int[] matrix = {0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000};
        for (int value : matrix) {
            mvhd.putInt(value);
        }
        mvhd.position(mvhd.position() + 24); // pre_defined
        mvhd.putInt(2); // next_track_ID
        ByteBuffer tkhd = ByteBuffer.allocate(84);
        tkhd.putInt(0x00000003); // version 0, enabled + in movie
        tkhd.putInt(0).putInt(0).putInt(1).putInt(0).putInt(durationMs);
        tkhd.position(tkhd.position() + 8); // reserved
        tkhd.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        for (int value : matrix) {
            tkhd.putInt(value);
        }
        tkhd.putInt(width << 16).putInt(height << 16);
        byte[] moov = box("moov", concat(box("mvhd", mvhd.array()), box("trak", box("tkhd", tkhd.array()))));
        byte[] payload = new byte[payloadBytes];
        new Random(42).nextBytes(payload);
        return concat(ftyp, moov, box("mdat", payload));
    }

    private static byte[] box(String type, byte[] body) {
        return concat(int32(8 + body.length), ascii(type), body);
    }

    private static byte[] int32(int value) {
        return ByteBuffer.allocate(4).putInt(value).array();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
