package io.barrage.danmaku.compat;

import io.barrage.danmaku.history.HistoryCache;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.problem.ApiException;
import java.util.Locale;
import java.util.zip.CRC32;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * bilibili's XML danmaku export: {@code <d p="time,mode,size,color,unixSeconds,pool,senderHash,dmid">}. The
 * sender hash is the CRC32 of the user id in hex, as bilibili does, so the export does not reveal ids.
 */
@RestController
class BilibiliXmlController {

    static final String CHAT_SERVER = "barrage";

    private final HistoryCache history;
    private final VideoDirectory videos;

    BilibiliXmlController(HistoryCache history, VideoDirectory videos) {
        this.history = history;
        this.videos = videos;
    }

    @GetMapping(value = "/api/v1/videos/{id}/danmaku.xml")
    ResponseEntity<String> export(
            @PathVariable("id") long videoId, @RequestParam(name = "limit", defaultValue = "5000") int limit) {
        if (limit < 1 || limit > 5000) {
            throw ApiException.badRequest("invalid-request", "limit must be between 1 and 5000.");
        }
        videos.checkReadable(videoId);
        StringBuilder xml = new StringBuilder(4096);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        xml.append("<i><chatserver>").append(CHAT_SERVER).append("</chatserver>");
        xml.append("<chatid>").append(videoId).append("</chatid>");
        xml.append("<maxlimit>").append(limit).append("</maxlimit>");
        for (Danmaku d : history.window(videoId, 0, Long.MAX_VALUE, limit)) {
            xml.append("<d p=\"")
                    .append(String.format(Locale.ROOT, "%.3f", d.playbackMs() / 1000.0))
                    .append(',')
                    .append(mode(d.mode()))
                    .append(',')
                    .append(size(d.size()))
                    .append(',')
                    .append(d.color())
                    .append(',')
                    .append(d.createdAt().getEpochSecond())
                    .append(",0,")
                    .append(senderHash(d.senderId()))
                    .append(',')
                    .append(d.id())
                    .append("\">")
                    .append(escape(d.text()))
                    .append("</d>");
        }
        xml.append("</i>");
        return ResponseEntity.ok()
                .contentType(new MediaType("application", "xml", java.nio.charset.StandardCharsets.UTF_8))
                .body(xml.toString());
    }

    static int mode(String mode) {
        return switch (mode) {
            case "TOP" -> 5;
            case "BOTTOM" -> 4;
            default -> 1;
        };
    }

    static int size(String size) {
        return switch (size) {
            case "SMALL" -> 18;
            case "LARGE" -> 36;
            default -> 25;
        };
    }

    static String senderHash(long senderId) {
        CRC32 crc = new CRC32();
        crc.update(Long.toString(senderId).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }

    /**
     * Text content and attribute-safe. Ingest refuses what XML 1.0 cannot hold, but rows stored before it
     * did may still have some (one U+FFFE made the whole export unreadable for every client), so any
     * character outside XML 1.0's {@code Char} becomes U+FFFD here.
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> out.appendCodePoint(isXmlChar(c) ? c : 0xFFFD);
            }
        }
        return out.toString();
    }

    /** XML 1.0's {@code Char} production; a lone surrogate (codePointAt returns it as is) is not one. */
    static boolean isXmlChar(int c) {
        return c == 0x9
                || c == 0xA
                || c == 0xD
                || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }
}
