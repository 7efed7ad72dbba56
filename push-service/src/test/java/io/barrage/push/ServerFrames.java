package io.barrage.push;

import java.io.DataInputStream;
import java.io.IOException;

/** Reading the frames push-service writes (unmasked, RFC 6455) from a bare socket, in tests. */
public final class ServerFrames {

    private ServerFrames() {}

    /**
     * The payload of a frame whose first byte (FIN and opcode) was already read: shorter than the frame
     * declared when the stream ended mid-frame.
     */
    public static Payload payload(DataInputStream in) throws IOException {
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        return new Payload(in.readNBytes((int) length), length);
    }

    public record Payload(byte[] bytes, long declared) {
        public boolean cutOff() {
            return bytes.length < declared;
        }
    }
}
