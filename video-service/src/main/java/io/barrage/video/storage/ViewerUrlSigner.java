package io.barrage.video.storage;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presigned GET URLs for viewers (AWS Signature Version 4, query parameters, path-style), signed here
 * rather than by the MinIO client: a rung playlist carries one URL per segment (900 for an hour at 4 s),
 * and the MinIO client derives the signing key again for every URL (four HMACs), builds an OkHttp URL and
 * a request for it, then formats the date, which made signing a long rung cost more than serving it. The
 * signing key depends only on the day, the region and the secret, so it is derived once a day; each URL
 * then costs one SHA-256 of its canonical request and one HMAC. The URLs are the ones the MinIO client
 * makes (same parameters, same order), and the store checks them the same way: they expire.
 */
public final class ViewerUrlSigner {

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final String HMAC = "HmacSHA256";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();
    /** The longest lifetime SigV4 allows a presigned URL (7 days). */
    static final Duration MAX_EXPIRY = Duration.ofDays(7);

    private record DayKey(String day, String scope, Mac mac) {}

    private final String origin;
    private final String host;
    private final String bucketPath;
    private final String region;
    private final String accessKey;
    private final byte[] secret;
    private final Clock clock;
    private volatile DayKey dayKey;

    /** {@code endpoint}: the store's address as viewers reach it, e.g. {@code https://media.example.com}. */
    public ViewerUrlSigner(
            String endpoint, String region, String accessKey, String secretKey, String bucket, Clock clock) {
        URI uri = URI.create(endpoint.strip());
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("not an http(s) endpoint: " + endpoint);
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || ("http".equals(uri.getScheme()) && port == 80)
                || ("https".equals(uri.getScheme()) && port == 443);
        // the Host header a client sends, which the signature covers
        this.host = defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
        this.origin = uri.getScheme() + "://" + host;
        String base = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        this.bucketPath = base + "/" + encode(bucket, false);
        this.region = region;
        this.accessKey = accessKey;
        this.secret = ("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    /** A URL that lets anyone GET {@code key} until {@code expiry} from now (1 s to 7 days). */
    public String presignedGet(String key, Duration expiry) {
        return presignedGet(key, expiry, clock.instant());
    }

    String presignedGet(String key, Duration expiry, Instant now) {
        long seconds = Math.clamp(expiry.toSeconds(), 1, MAX_EXPIRY.toSeconds());
        String stamp = STAMP.format(now);
        DayKey day = dayKey(stamp.substring(0, 8));
        String path = bucketPath + "/" + encode(key, true);
        // in the canonical order (sorted by name), which is also the order the MinIO client writes them
        String query = "X-Amz-Algorithm=" + ALGORITHM
                + "&X-Amz-Credential=" + encode(accessKey + "/" + day.scope(), false)
                + "&X-Amz-Date=" + stamp
                + "&X-Amz-Expires=" + seconds
                + "&X-Amz-SignedHeaders=host";
        String canonical = "GET\n" + path + "\n" + query + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD";
        String toSign = ALGORITHM + "\n" + stamp + "\n" + day.scope() + "\n" + HEX.formatHex(sha256(canonical));
        return origin + path + "?" + query + "&X-Amz-Signature=" + HEX.formatHex(hmac(day, toSign));
    }

    private DayKey dayKey(String day) {
        DayKey current = dayKey;
        if (current != null && current.day().equals(day)) {
            return current;
        }
        try {
            byte[] key = hmac(secret, day);
            key = hmac(key, region);
            key = hmac(key, "s3");
            key = hmac(key, "aws4_request");
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            DayKey fresh = new DayKey(day, day + "/" + region + "/s3/aws4_request", mac);
            dayKey = fresh;
            return fresh;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** A copy of the day's initialised Mac (cloning skips the key schedule), so threads never share one. */
    private static byte[] hmac(DayKey day, String data) {
        try {
            Mac mac = (Mac) day.mac().clone();
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned in this JVM", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance(HMAC);
        mac.init(new SecretKeySpec(key, HMAC));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** SigV4's URI encoding: every byte but the unreserved characters (and '/' in a key) as %XX. */
    static String encode(String value, boolean keepSlash) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~'
                    || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(UPPER_HEX.toHexDigits(b));
            }
        }
        return out.toString();
    }
}
