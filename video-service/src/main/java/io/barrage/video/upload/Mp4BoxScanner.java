package io.barrage.video.upload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the top-level boxes of an ISO base media file (MP4, MOV) as its bytes stream past, so the upload
 * is parsed while it goes to the bucket. Only the {@code moov} box is kept (bounded); everything else,
 * {@code mdat} above all, is skipped without being buffered. Not thread-safe; one per upload.
 */
final class Mp4BoxScanner {

    private final int maxMoovBytes;
    private final byte[] header = new byte[16];
    private int headerLength;
    private int headerWanted = 8;
    private boolean inBody;
    private boolean untilEnd;
    private long remaining;
    private String currentType;
    private String firstType;
    private ByteArrayOutputStream moov;
    private byte[] moovBytes;
    private String error;

    Mp4BoxScanner(int maxMoovBytes) {
        this.maxMoovBytes = maxMoovBytes;
    }

    void accept(byte[] bytes, int offset, int length) {
        int off = offset;
        int len = length;
        while (len > 0 && error == null) {
            if (!inBody) {
                int n = Math.min(headerWanted - headerLength, len);
                System.arraycopy(bytes, off, header, headerLength, n);
                headerLength += n;
                off += n;
                len -= n;
                if (headerLength == headerWanted) {
                    if (headerWanted == 8 && u32(header, 0) == 1) {
                        headerWanted = 16; // a 64-bit "largesize" follows the type
                    } else {
                        startBox();
                    }
                }
            } else {
                int n = (int) Math.min(remaining, len);
                if (moov != null) {
                    if (moov.size() + (long) n > maxMoovBytes) {
                        error = "the moov box is larger than " + maxMoovBytes + " bytes";
                        return;
                    }
                    moov.write(bytes, off, n);
                }
                off += n;
                len -= n;
                if (!untilEnd) {
                    remaining -= n;
                    if (remaining == 0) {
                        endBox();
                    }
                }
            }
        }
    }

    private void startBox() {
        long size32 = u32(header, 0);
        String type = new String(header, 4, 4, StandardCharsets.ISO_8859_1);
        if (firstType == null) {
            firstType = type;
        }
        currentType = type;
        if (size32 == 0) {
            untilEnd = true; // the last box runs to the end of the file
            remaining = Long.MAX_VALUE;
        } else {
            long size = size32 == 1 ? u64(header, 8) : size32;
            if (size < headerWanted) {
                error = "box '" + printable(type) + "' has an impossible size " + size;
                return;
            }
            remaining = size - headerWanted;
        }
        if ("moov".equals(type)) {
            if (moovBytes != null) {
                error = "the file has two moov boxes";
                return;
            }
            if (!untilEnd && remaining > maxMoovBytes) {
                error = "the moov box is larger than " + maxMoovBytes + " bytes";
                return;
            }
            moov = new ByteArrayOutputStream(untilEnd ? 8192 : (int) remaining);
        }
        inBody = true;
        if (!untilEnd && remaining == 0) {
            endBox();
        }
    }

    private void endBox() {
        if (moov != null) {
            moovBytes = moov.toByteArray();
            moov = null;
        }
        inBody = false;
        headerLength = 0;
        headerWanted = 8;
    }

    /** Call once every byte has been seen. */
    Mp4Info finish() throws InvalidVideoException {
        if (error != null) {
            throw new InvalidVideoException(error);
        }
        if (inBody && untilEnd) {
            endBox();
        }
        if (inBody) {
            throw new InvalidVideoException("the file ends inside the '" + printable(currentType) + "' box");
        }
        if (headerLength > 0) {
            throw new InvalidVideoException("the file ends inside a box header");
        }
        if (!"ftyp".equals(firstType)) {
            throw new InvalidVideoException("the file does not start with an ftyp box");
        }
        if (moovBytes == null) {
            throw new InvalidVideoException("the file has no moov box");
        }
        return parseMoov(moovBytes);
    }

    private record Box(String type, int start, int end) {}

    private static Mp4Info parseMoov(byte[] moov) throws InvalidVideoException {
        Long durationMs = null;
        Integer videoWidth = null;
        Integer videoHeight = null;
        Integer anyWidth = null;
        Integer anyHeight = null;
        for (Box box : children(moov, 0, moov.length)) {
            if ("mvhd".equals(box.type())) {
                durationMs = mvhdDurationMs(moov, box);
            } else if ("trak".equals(box.type())) {
                int[] size = null;
                String handler = null;
                for (Box child : children(moov, box.start(), box.end())) {
                    if ("tkhd".equals(child.type())) {
                        size = tkhdSize(moov, child);
                    } else if ("mdia".equals(child.type())) {
                        handler = handlerType(moov, child);
                    }
                }
                if (size != null && size[0] > 0 && size[1] > 0) {
                    if (videoWidth == null && "vide".equals(handler)) {
                        videoWidth = size[0];
                        videoHeight = size[1];
                    }
                    if (anyWidth == null) {
                        anyWidth = size[0];
                        anyHeight = size[1];
                    }
                }
            }
        }
        if (durationMs == null) {
            throw new InvalidVideoException("the moov box has no mvhd");
        }
        return videoWidth != null
                ? new Mp4Info(durationMs, videoWidth, videoHeight)
                : new Mp4Info(durationMs, anyWidth, anyHeight);
    }

    private static List<Box> children(byte[] buf, int from, int to) throws InvalidVideoException {
        List<Box> boxes = new ArrayList<>();
        int pos = from;
        while (pos < to) {
            if (to - pos < 8) {
                throw new InvalidVideoException("a box header is cut short inside moov");
            }
            long size = u32(buf, pos);
            String type = new String(buf, pos + 4, 4, StandardCharsets.ISO_8859_1);
            int headerSize = 8;
            if (size == 1) {
                if (to - pos < 16) {
                    throw new InvalidVideoException("a box header is cut short inside moov");
                }
                size = u64(buf, pos + 8);
                headerSize = 16;
            } else if (size == 0) {
                size = to - pos;
            }
            if (size < headerSize || size > to - pos) {
                throw new InvalidVideoException("box '" + printable(type) + "' does not fit in its parent");
            }
            boxes.add(new Box(type, pos + headerSize, pos + (int) size));
            pos += (int) size;
        }
        return boxes;
    }

    private static long mvhdDurationMs(byte[] buf, Box box) throws InvalidVideoException {
        int p = box.start();
        // an empty box must not read the byte after it (or past the buffer: that was a 500)
        need(box, 4);
        int version = buf[p] & 0xFF;
        long timescale;
        long duration;
        if (version == 1) {
            need(box, 4 + 28);
            timescale = u32(buf, p + 4 + 16);
            duration = u64(buf, p + 4 + 20);
        } else {
            need(box, 4 + 16);
            timescale = u32(buf, p + 4 + 8);
            duration = u32(buf, p + 4 + 12);
            if (duration == 0xFFFFFFFFL) {
                duration = 0; // "unknown"
            }
        }
        if (timescale == 0) {
            throw new InvalidVideoException("mvhd has a zero timescale");
        }
        if (duration < 0) {
            duration = 0; // all ones in version 1 also means unknown
        }
        return duration / timescale * 1000 + (duration % timescale) * 1000 / timescale;
    }

    private static int[] tkhdSize(byte[] buf, Box box) throws InvalidVideoException {
        int p = box.start();
        need(box, 4);
        int version = buf[p] & 0xFF;
        int widthAt = version == 1 ? 88 : 76;
        need(box, widthAt + 8);
        // 16.16 fixed point
        return new int[] {(int) (u32(buf, p + widthAt) >>> 16), (int) (u32(buf, p + widthAt + 4) >>> 16)};
    }

    private static String handlerType(byte[] buf, Box mdia) throws InvalidVideoException {
        for (Box child : children(buf, mdia.start(), mdia.end())) {
            if ("hdlr".equals(child.type()) && child.end() - child.start() >= 12) {
                return new String(buf, child.start() + 8, 4, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void need(Box box, int bytes) throws InvalidVideoException {
        if (box.end() - box.start() < bytes) {
            throw new InvalidVideoException("the " + box.type() + " box is too short");
        }
    }

    private static long u32(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    private static long u64(byte[] b, int at) {
        return (u32(b, at) << 32) | u32(b, at + 4);
    }

    private static String printable(String type) {
        return type == null ? "?" : type.replaceAll("[^A-Za-z0-9 ]", "?");
    }
}
