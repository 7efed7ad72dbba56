package io.barrage.push.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Whole server-to-client WebSocket frames (RFC 6455 §5.2: header and unmasked payload), encoded once and
 * written as they are to every viewer of a room.
 *
 * <p>A frame's bytes live in a JDK direct buffer behind an unreleasable view: each write is a {@link
 * ByteBuf#duplicate()} (its own indexes, the same memory), Netty's release after the write is a no-op, and
 * the memory goes when the last frame referring to it is garbage, through the JDK buffer's cleaner. So a
 * frame offered to 40 viewers is neither copied nor reference-counted per viewer, and one that a slow viewer
 * skips cannot leak.
 */
final class Wire {

    private static final int FIN = 0x80;
    private static final int TEXT = 0x1;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    /** A close frame's reason must fit a control frame's 125 bytes with the 2-byte code. */
    private static final int MAX_REASON_BYTES = 123;

    static final ByteBuf EMPTY_PING = frame(PING, new byte[0]);

    private Wire() {}

    static ByteBuf text(byte[] utf8) {
        return frame(TEXT, utf8);
    }

    static ByteBuf text(String text) {
        return text(text.getBytes(StandardCharsets.UTF_8));
    }

    static ByteBuf close(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_REASON_BYTES);
        byte[] payload = new byte[2 + length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, length);
        return frame(CLOSE, payload);
    }

    private static ByteBuf frame(int opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer bytes = ByteBuffer.allocateDirect(header + length);
        bytes.put((byte) (FIN | opcode));
        if (length < 126) {
            bytes.put((byte) length);
        } else if (length <= 0xFFFF) {
            bytes.put((byte) 126).putShort((short) length);
        } else {
            bytes.put((byte) 127).putLong(length);
        }
        bytes.put(payload).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
    }
}
