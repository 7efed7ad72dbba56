package io.barrage.video;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Builds minimal ISO-BMFF files by hand, so the tests need no ffmpeg. */
final class TinyMp4 {

    private TinyMp4() {}

    /** ftyp, mdat ({@code payload} random bytes), then moov with mvhd and one video trak. */
    static byte[] build(long timescale, long duration, int width, int height, int payload) {
        byte[] mdatBody = new byte[payload];
        new Random(42).nextBytes(mdatBody);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(box("ftyp", concat(ascii("isom"), u32(0x200), ascii("isom"), ascii("mp41"))));
        out.writeBytes(box("mdat", mdatBody));
        out.writeBytes(box("moov", concat(mvhd(timescale, duration), trak(width, height))));
        return out.toByteArray();
    }

    /** A well-formed file but for its {@code mvhd} box, which is empty (8 bytes of header, no body). */
    static byte[] emptyMvhd(int width, int height) {
        byte[] mdatBody = new byte[1024];
        new Random(7).nextBytes(mdatBody);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(box("ftyp", concat(ascii("isom"), u32(0x200), ascii("isom"), ascii("mp41"))));
        out.writeBytes(box("mdat", mdatBody));
        // last in moov, so reading its missing version byte runs off the buffer
        out.writeBytes(box("moov", concat(trak(width, height), box("mvhd", new byte[0]))));
        return out.toByteArray();
    }

    private static byte[] mvhd(long timescale, long duration) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.putInt(0); // version 0, flags
        b.putInt(0).putInt(0); // creation, modification
        b.putInt((int) timescale).putInt((int) duration);
        b.putInt(0x00010000).putShort((short) 0x0100); // rate, volume
        b.put(new byte[10]);
        b.put(matrix());
        b.put(new byte[24]);
        b.putInt(2); // next track id
        return box("mvhd", b.array());
    }

    private static byte[] trak(int width, int height) {
        ByteBuffer t = ByteBuffer.allocate(84);
        t.putInt(0x00000003); // version 0, enabled + in movie
        t.putInt(0).putInt(0).putInt(1).putInt(0).putInt(0); // times, track id, reserved, duration
        t.put(new byte[8]);
        t.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        t.put(matrix());
        t.putInt(width << 16).putInt(height << 16);
        byte[] hdlr = box("hdlr", concat(u32(0), u32(0), ascii("vide"), new byte[12], new byte[] {0}));
        return box("trak", concat(box("tkhd", t.array()), box("mdia", hdlr)));
    }

    private static byte[] matrix() {
        ByteBuffer m = ByteBuffer.allocate(36);
        m.putInt(0x00010000).putInt(0).putInt(0);
        m.putInt(0).putInt(0x00010000).putInt(0);
        m.putInt(0).putInt(0).putInt(0x40000000);
        return m.array();
    }

    static byte[] box(String type, byte[] body) {
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
