package io.barrage.video.upload;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The containers we accept, told apart by their first bytes, whatever the client's Content-Type says. */
enum ContainerFormat {
    MP4("video/mp4", true),
    QUICKTIME("video/quicktime", true),
    WEBM("video/webm", false),
    MATROSKA("video/x-matroska", false);

    /** How many leading bytes {@link #sniff} wants to see. */
    static final int SNIFF_LENGTH = 64;

    private final String contentType;
    private final boolean isoBmff;

    ContainerFormat(String contentType, boolean isoBmff) {
        this.contentType = contentType;
        this.isoBmff = isoBmff;
    }

    String contentType() {
        return contentType;
    }

    /** MP4 and MOV share the ISO base media box structure, which {@link Mp4BoxScanner} understands. */
    boolean isoBmff() {
        return isoBmff;
    }

    static ContainerFormat fromContentType(String contentType) {
        for (ContainerFormat format : values()) {
            if (format.contentType.equals(contentType)) {
                return format;
            }
        }
        throw new IllegalArgumentException("not a container we accept: " + contentType);
    }

    static Optional<ContainerFormat> sniff(byte[] head, int length) {
        if (length >= 12 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p') {
            String brand = new String(head, 8, 4, StandardCharsets.ISO_8859_1);
            return Optional.of("qt  ".equals(brand) ? QUICKTIME : MP4);
        }
        if (length >= 4
                && (head[0] & 0xFF) == 0x1A
                && (head[1] & 0xFF) == 0x45
                && (head[2] & 0xFF) == 0xDF
                && (head[3] & 0xFF) == 0xA3) {
            // the DocType element sits in the EBML header, within the first few dozen bytes
            String header = new String(head, 0, length, StandardCharsets.ISO_8859_1);
            return Optional.of(header.contains("webm") ? WEBM : MATROSKA);
        }
        return Optional.empty();
    }
}
