package io.barrage.e2e;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * What a malicious or broken client sends, drawn from one seeded {@link Random} so that a failing case
 * can be replayed from its seed and index. Every draw mixes hand-picked hostile values (the ones that
 * broke Barrage before: lone surrogates, non-characters, 1e400, ports out of range, a 136-year
 * playback time) with random structure around them.
 */
final class Hostile {

    static final List<String> STRINGS = List.of(
            "",
            " ",
            "a",
            "弹幕测试",
            "😀😀",
            "e\u0301",
            "\u0000",
            "a\u0000b",
            "\u0007bell",
            "\u001b[31mred",
            "\u007f",
            "\uD800",
            "x\uDC00y",
            "\uDBFF",
            "\uFFFE",
            "\uFFFF",
            "\uFDD0",
            "\uD83F\uDFFE",
            "\u202Eevil.exe",
            "\u2066x\u2069",
            "\u200B",
            "a\u200Db",
            "\uFEFFbom",
            "<d p=\"1,1,25,16777215,0,0,0,0\">&amp;</d>",
            "]]>",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%s%n%x",
            "${jndi:ldap://127.0.0.1/x}",
            "../../etc/passwd",
            "\\u0000",
            "1e400",
            "NaN",
            "null",
            "true",
            "-1");

    static final List<String> NUMBERS = List.of(
            "0",
            "-0",
            "1",
            "-1",
            "1.5",
            "1e400",
            "-1e400",
            "1e-400",
            "2147483648",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "16777215",
            "16777216",
            "360000",
            "4294967296000",
            "86400000000",
            "1" + "0".repeat(400));

    static final List<String> QUERY_VALUES = List.of(
            "%00",
            "%FF",
            "%C0%80",
            "%ED%A0%80",
            "%EF%BF%BE",
            "%E2%80%AE",
            "%",
            "%zz",
            "-1",
            "0",
            "1e400",
            "abc",
            "99999999999999999999",
            "9223372036854775807",
            "",
            "%20",
            "new",
            "views",
            "title",
            "x".repeat(300),
            "%F0%9F%98%80",
            "a%00b",
            "1%2C2");

    static final List<String> ORIGINS = List.of(
            "http://localhost:99999",
            "http://localhost:abc",
            "http://localhost:-1",
            "http://localhost:",
            "http://[::1",
            "null",
            "http://evil.example",
            "http://localhost:18080",
            "file://",
            "",
            "http://localhost:18080/../",
            "http://localhost:184467440737095516160");

    private final Random random;
    private final String validVideoId;
    private final String validDanmakuId;

    Hostile(long seed, long validVideoId, String validDanmakuId) {
        this.random = new Random(seed);
        this.validVideoId = Long.toString(validVideoId);
        this.validDanmakuId = validDanmakuId;
    }

    boolean chance(int percent) {
        return random.nextInt(100) < percent;
    }

    int between(int lowInclusive, int highInclusive) {
        return lowInclusive + random.nextInt(highInclusive - lowInclusive + 1);
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    @SafeVarargs
    final <T> T oneOf(Supplier<T>... draws) {
        return draws[random.nextInt(draws.length)].get();
    }

    /** A video id: mostly the real one (to get past the 404), else something no parser should choke on. */
    String videoId() {
        return chance(55) ? validVideoId : id();
    }

    String danmakuId() {
        return chance(30) ? validDanmakuId : id();
    }

    String id() {
        return pick(List.of(
                "0",
                "-1",
                "1",
                "9223372036854775807",
                "9223372036854775808",
                "99999999999999999999",
                "abc",
                "1.5",
                "%00",
                "%2e%2e",
                "1%20",
                "%D9%A1%D9%A2",
                "0x10",
                "+1",
                "1e3",
                "%FF",
                "12345678901234567890123"));
    }

    String string() {
        return oneOf(
                () -> pick(STRINGS),
                () -> pick(STRINGS) + pick(STRINGS),
                () -> "a".repeat(between(95, 105)),
                () -> "弹".repeat(between(99, 101)),
                () -> "x".repeat(between(1_000, 70_000)),
                this::randomCodePoints);
    }

    private String randomCodePoints() {
        StringBuilder text = new StringBuilder();
        int length = between(1, 40);
        for (int i = 0; i < length; i++) {
            int cp = oneOf(
                    () -> between(0, 0x1f),
                    () -> between(0x20, 0x7e),
                    () -> between(0x80, 0x9f),
                    () -> between(0x4e00, 0x9fff),
                    () -> between(0xd800, 0xdfff),
                    () -> between(0xfdd0, 0xfdef),
                    () -> 0xfffe + random.nextInt(2),
                    () -> between(0x202a, 0x202e),
                    () -> between(0x1f600, 0x1f64f),
                    () -> between(0x10000, 0x10ffff));
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    /** A JSON value as text: any type, including the values that parsers handle worst. */
    String jsonValue(int depth) {
        int kind = random.nextInt(depth > 2 ? 5 : 8);
        return switch (kind) {
            case 0 -> jsonString(string());
            case 1 -> pick(NUMBERS);
            case 2 -> pick(List.of("true", "false", "null"));
            case 3 -> jsonString(pick(NUMBERS));
            case 4 -> jsonString(pick(List.of("SCROLL", "TOP", "BOTTOM", "SMALL", "NORMAL", "LARGE", "scroll", "")));
            case 5 -> "[" + jsonValue(depth + 1) + "," + jsonValue(depth + 1) + "]";
            case 6 -> "{\"a\":" + jsonValue(depth + 1) + "}";
            default -> "[".repeat(between(100, 5_000));
        };
    }

    /**
     * A string literal: non-ASCII written as {@code \}{@code uXXXX} escapes half of the time (that is the
     * only way to send a lone surrogate in UTF-8 JSON), raw UTF-8 otherwise.
     */
    String jsonString(String value) {
        boolean escapeAll = chance(50);
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c) || (escapeAll && c > 0x7e)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /** A body for an endpoint that reads these fields: well-formed with hostile values, or malformed. */
    byte[] jsonBody(List<String> fields, Map<String, Supplier<String>> plausible) {
        if (chance(15)) {
            return malformedJson();
        }
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        for (String field : fields) {
            if (chance(15)) {
                continue;
            }
            if (!first) {
                json.append(',');
            }
            first = false;
            Supplier<String> good = plausible.get(field);
            String value = good != null && chance(50) ? good.get() : jsonValue(0);
            json.append(jsonString(field)).append(':').append(value);
            if (chance(5)) {
                json.append(',').append(jsonString(field)).append(':').append(jsonValue(0));
            }
        }
        if (chance(10)) {
            json.append(first ? "" : ",")
                    .append(jsonString(pick(List.of("id", "ownerId", "senderId", "seq", "__proto__"))))
                    .append(':')
                    .append(jsonValue(0));
        }
        json.append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        if (chance(5)) {
            return concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes);
        }
        if (chance(5)) {
            return json.toString().getBytes(StandardCharsets.UTF_16);
        }
        return bytes;
    }

    byte[] malformedJson() {
        return oneOf(
                () -> new byte[0],
                () -> "{".getBytes(StandardCharsets.UTF_8),
                () -> "{\"text\":".getBytes(StandardCharsets.UTF_8),
                () -> "{\"text\":\"a\"}garbage".getBytes(StandardCharsets.UTF_8),
                () -> "[1,2,3]".getBytes(StandardCharsets.UTF_8),
                () -> "\"just a string\"".getBytes(StandardCharsets.UTF_8),
                () -> new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'},
                () -> new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
                () -> ("{\"a\":" + "[".repeat(20_000)).getBytes(StandardCharsets.UTF_8),
                () -> randomBytes(between(1, 2_000)),
                () -> ("{\"text\":\"" + "y".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** A query string of hostile values for the given parameter names, plus sometimes an unknown one. */
    String query(List<String> params) {
        List<String> parts = new ArrayList<>();
        for (String param : params) {
            if (chance(60)) {
                parts.add(param + "=" + queryValue());
            }
        }
        if (chance(10)) {
            parts.add(pick(params.isEmpty() ? List.of("x") : params) + "=" + queryValue());
        }
        if (chance(5)) {
            parts.add("%00=%00");
        }
        return parts.isEmpty() ? "" : "?" + String.join("&", parts);
    }

    String queryValue() {
        return chance(70) ? pick(QUERY_VALUES) : URLEncoder.encode(string(), StandardCharsets.UTF_8);
    }

    /** Headers a hostile client adds on top of what the endpoint needs. */
    List<Map.Entry<String, String>> headers() {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        int count = between(0, 4);
        for (int i = 0; i < count; i++) {
            headers.add(oneOf(
                    () -> Map.entry("Origin", pick(ORIGINS)),
                    () -> Map.entry(
                            "Range",
                            pick(List.of(
                                    "bytes=0-",
                                    "bytes=-0",
                                    "bytes=5-1",
                                    "bytes=abc",
                                    "bytes=0-0,".repeat(500) + "0-1",
                                    "bytes=99999999999999999999-",
                                    "items=0-1",
                                    "bytes=-99999999999999999999",
                                    "bytes=0-1,2-3"))),
                    () -> Map.entry(
                            pick(List.of("If-Range", "If-None-Match", "If-Match")),
                            pick(List.of(
                                    "\"x\"",
                                    "*",
                                    "W/\"1\"",
                                    "garbage",
                                    "\"" + "a".repeat(5000) + "\"",
                                    "Tue, 99 Foo 2026"))),
                    () -> Map.entry(
                            pick(List.of("X-Forwarded-For", "X-Real-IP", "X-Client-Ip")),
                            pick(List.of("1.2.3.4", "garbage", "1.2.3.4, 5.6.7.8", "::1", "999.999.999.999", ""))),
                    () -> Map.entry("Forwarded", "for=1.2.3.4;proto=https;host=evil.example"),
                    () -> Map.entry(
                            pick(List.of("X-User-Id", "X-User-Name", "X-Service-Token")),
                            pick(List.of("1", "0", "-1", "admin", "x".repeat(100)))),
                    () -> Map.entry(
                            "Connection",
                            pick(List.of(
                                    "X-User-Id, X-Service-Token, X-Client-Ip, X-Request-Id",
                                    "close, Authorization, Cookie",
                                    "keep-alive, Upgrade"))),
                    () -> Map.entry(
                            "X-Request-Id", pick(List.of("short", "x".repeat(9_000), "../../a", "valid-request-id-1"))),
                    () -> Map.entry(
                            "Accept",
                            pick(List.of(
                                    "application/xml", "*/*", "text/html", "garbage", "", "application/json;q=x"))),
                    () -> Map.entry("Accept-Encoding", pick(List.of("gzip", "br", "garbage", "identity;q=0"))),
                    () -> Map.entry(
                            "Idempotency-Key",
                            pick(List.of("", "k", "key with spaces", "\u00e9t\u00e9", "x".repeat(200)))),
                    () -> Map.entry(
                            "Cookie",
                            pick(List.of(
                                    "BARRAGE_SESSION=garbage",
                                    "BARRAGE_SESSION=",
                                    "BARRAGE_SESSION=a; BARRAGE_SESSION=b",
                                    "=;;;"))),
                    () -> Map.entry(
                            "Authorization",
                            pick(List.of(
                                    "Bearer garbage",
                                    "Basic YTpi",
                                    "Bearer ",
                                    "Bearer " + "t".repeat(9_000),
                                    "Bearer a b"))),
                    () -> Map.entry("X-Barrage-Csrf", pick(List.of("1", "0", ""))),
                    () -> Map.entry("Access-Control-Request-Method", pick(List.of("DELETE", "GARBAGE"))),
                    () -> Map.entry("Content-Type", contentType())));
        }
        return headers;
    }

    String contentType() {
        return pick(List.of(
                "application/json",
                "text/plain",
                "application/json; charset=utf-16",
                "application/json; charset=garbage",
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "application/offset+octet-stream",
                "application/x-www-form-urlencoded",
                "garbage",
                ""));
    }

    /** Bytes that claim to be a video: magic bytes with a lying or broken body. */
    byte[] mediaBytes() {
        return oneOf(
                () -> randomBytes(between(0, 512)),
                () -> concat(
                        HexFormat.of().parseHex("1a45dfa3"),
                        "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.UTF_8)),
                () -> Mp4.of(between(0, 10_000), between(0, 5_000), between(0, 5_000), between(0, 50_000)),
                () -> truncate(Mp4.of(5_000, 320, 240, 20_000)),
                () -> concat(HexFormat.of().parseHex("0000001c6674797069736f6d"), randomBytes(between(0, 300))));
    }

    private byte[] truncate(byte[] bytes) {
        byte[] cut = new byte[random.nextInt(Math.max(1, bytes.length))];
        System.arraycopy(bytes, 0, cut, 0, cut.length);
        return cut;
    }

    static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
