package io.barrage.video.upload;

import io.barrage.video.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the metadata of a stored MP4/MOV with a few ranged reads: it walks the top-level box headers and
 * fetches only {@code ftyp} and {@code moov}, skipping {@code mdat} without reading it. Used when the
 * object was assembled from resumable-upload parts, where no single stream of the bytes exists.
 */
final class Mp4ObjectScanner {

    private Mp4ObjectScanner() {}

    static Mp4Info scan(ObjectStore store, String key, long size, int maxMoovBytes) throws InvalidVideoException {
        Mp4BoxScanner scanner = new Mp4BoxScanner(maxMoovBytes);
        long pos = 0;
        while (pos < size) {
            int headLength = (int) Math.min(16, size - pos);
            byte[] head = read(store, key, pos, headLength);
            if (headLength < 8) {
                scanner.accept(head, 0, headLength);
                break;
            }
            long size32 = u32(head, 0);
            String type = new String(head, 4, 4, StandardCharsets.ISO_8859_1);
            int headerSize = 8;
            long boxSize;
            if (size32 == 1) {
                if (headLength < 16) {
                    scanner.accept(head, 0, headLength);
                    break;
                }
                boxSize = (u32(head, 8) << 32) | u32(head, 12);
                headerSize = 16;
            } else {
                boxSize = size32 == 0 ? size - pos : size32;
            }
            if (pos == 0 && !"ftyp".equals(type)) {
                throw new InvalidVideoException("the file does not start with an ftyp box");
            }
            if (boxSize < headerSize || boxSize > size - pos) {
                // let the scanner name the problem: an impossible size or a file that ends inside the box
                scanner.accept(head, 0, Math.min(headLength, headerSize));
                break;
            }
            if ("ftyp".equals(type) || "moov".equals(type)) {
                if (boxSize > maxMoovBytes + 16L) {
                    throw new InvalidVideoException("the " + type + " box is larger than " + maxMoovBytes + " bytes");
                }
                byte[] box = read(store, key, pos, (int) boxSize);
                scanner.accept(box, 0, box.length);
            }
            pos += boxSize;
        }
        return scanner.finish();
    }

    private static byte[] read(ObjectStore store, String key, long offset, int length) throws InvalidVideoException {
        try (InputStream in = store.get(key, offset, length)) {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new InvalidVideoException("the stored object is shorter than its size");
            }
            return bytes;
        } catch (IOException e) {
            throw new io.barrage.video.storage.StorageException("could not read " + key, e);
        }
    }

    private static long u32(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }
}
