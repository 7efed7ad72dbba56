package io.barrage.push.room;

import io.barrage.push.shard.Shards;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;

/**
 * Whether a request may become a viewer of a room, decided from the request alone; the first check that
 * fails answers: 405 for another method than GET, 400 unless the path ends in a video id and {@code since}
 * (if given) is a seq (a whole number, 0 or more), 421 (Misdirected Request) with the owner's index in
 * {@code X-Barrage-Shard} if another shard serves the video (this one neither owns it nor is in its spread
 * set) (during a rollout a viewer may reach the wrong
 * shard, and must be told rather than silently served nothing), 403 for an origin not allowed (checked here
 * only for a connection that did not come through the gateway, which checks it itself), 426 for a plain
 * HTTP request or another WebSocket version than 13, 400 for an upgrade without a key.
 *
 * <p>What it cannot decide from the request, the caps on connections and the shard's capacity, {@link
 * RoomEndpoint} checks next, with the client address and user this check settled on.
 */
final class RoomUpgrade {

    static final String SHARD_HEADER = "X-Barrage-Shard";
    static final String CLIENT_IP = "X-Client-Ip";
    /** A video id or a seq: digits that fit a long. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");
    /** IPv4 or IPv6 text, as the gateway writes {@code X-Client-Ip}; anything else is not an address. */
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private final Shards shards;
    private final SpreadView spread;
    private final byte[] serviceToken;
    private final CorsConfiguration origins = new CorsConfiguration();

    RoomUpgrade(Shards shards, List<String> allowedOrigins, String serviceToken) {
        this(shards, SpreadView.NONE, allowedOrigins, serviceToken);
    }

    RoomUpgrade(Shards shards, SpreadView spread, List<String> allowedOrigins, String serviceToken) {
        this.shards = shards;
        this.spread = spread;
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
        this.origins.setAllowedOriginPatterns(allowedOrigins == null ? List.of() : allowedOrigins);
    }

    /** What a check answers: a refusal, or a request that may join a room. */
    sealed interface Verdict permits Refusal, Upgrade {}

    /**
     * A request that may join {@code videoId}'s room, resuming after {@code since} (null: live only), on
     * behalf of a client address and a signed-in user (null: anonymous) that its connection counts against.
     */
    record Upgrade(long videoId, Long since, String clientAddress, Long userId) implements Verdict {}

    /**
     * A problem+json answer: its status, title and stable {@code code}, the headers that tell the client
     * what to do instead, and the owning shard's index for {@code wrong-shard} (else null).
     */
    record Refusal(int status, String title, String code, String detail, Map<String, String> headers, Integer shard)
            implements Verdict {

        static Refusal of(HttpStatus status, String code, String detail) {
            return of(status, code, detail, Map.of());
        }

        static Refusal of(HttpStatus status, String code, String detail, Map<String, String> headers) {
            return new Refusal(status.value(), status.getReasonPhrase(), code, detail, headers, null);
        }

        /** 421 Misdirected Request: during a rollout a viewer may reach the wrong shard and must be told so. */
        static Refusal wrongShard(long videoId, int owner) {
            return new Refusal(
                    421,
                    "Misdirected Request",
                    "wrong-shard",
                    "Video " + videoId + " is served by push shard " + owner + ".",
                    Map.of(SHARD_HEADER, Integer.toString(owner)),
                    owner);
        }
    }

    Verdict check(ServerHttpRequest request, String path) {
        HttpHeaders headers = request.getHeaders();
        if (request.getMethod() != HttpMethod.GET) {
            return Refusal.of(
                    HttpStatus.METHOD_NOT_ALLOWED,
                    "method-not-allowed",
                    "Only GET opens a room.",
                    Map.of(HttpHeaders.ALLOW, HttpMethod.GET.name()));
        }
        String id = path.substring(RoomEndpoint.PATH_PREFIX.length());
        long videoId = WHOLE_NUMBER.matcher(id).matches() ? Long.parseLong(id) : 0;
        if (videoId <= 0) {
            return Refusal.of(HttpStatus.BAD_REQUEST, "invalid-request", "The path must end in a video id.");
        }
        Long since = null;
        String sinceParam = request.getQueryParams().getFirst("since");
        if (sinceParam != null) {
            if (!WHOLE_NUMBER.matcher(sinceParam).matches()) {
                return Refusal.of(
                        HttpStatus.BAD_REQUEST, "invalid-request", "'since' must be a seq: a whole number, 0 or more.");
            }
            since = Long.parseLong(sinceParam);
        }
        if (!shards.owns(videoId) && !spread.serves(videoId)) {
            return Refusal.wrongShard(videoId, shards.ownerOf(videoId));
        }
        boolean viaGateway = fromGateway(headers);
        if (!viaGateway && !originAllowed(request)) {
            return Refusal.of(HttpStatus.FORBIDDEN, "origin-not-allowed", "This origin may not open rooms.");
        }
        if (!"websocket".equalsIgnoreCase(headers.getUpgrade())) {
            return Refusal.of(
                    HttpStatus.UPGRADE_REQUIRED,
                    "upgrade-required",
                    "This is a WebSocket endpoint: ask for an upgrade to websocket.",
                    Map.of(HttpHeaders.UPGRADE, "websocket"));
        }
        if (!"13".equals(headers.getFirst("Sec-WebSocket-Version"))) {
            return Refusal.of(
                    HttpStatus.UPGRADE_REQUIRED,
                    "upgrade-required",
                    "Only WebSocket version 13 (RFC 6455) is spoken here.",
                    Map.of("Sec-WebSocket-Version", "13"));
        }
        if (headers.getFirst("Sec-WebSocket-Key") == null) {
            return Refusal.of(HttpStatus.BAD_REQUEST, "invalid-request", "The upgrade has no Sec-WebSocket-Key.");
        }
        return new Upgrade(videoId, since, clientAddress(request, viaGateway), userId(headers, viaGateway));
    }

    /**
     * A request the gateway passed on: it carries the service credential. The gateway has then checked the
     * origin against its allow-list and decided the client's address and user.
     */
    private boolean fromGateway(HttpHeaders headers) {
        String token = headers.getFirst("X-Service-Token");
        return token != null && MessageDigest.isEqual(serviceToken, token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A connection straight to this shard: no Origin (not a browser), the shard's own origin, or one of
     * {@code allowed-origins}, which defaults to none, as the gateway's CORS allow-list does.
     */
    private boolean originAllowed(ServerHttpRequest request) {
        String origin = request.getHeaders().getOrigin();
        if (origin == null) {
            return true;
        }
        try {
            return !CorsUtils.isCorsRequest(request) || origins.checkOrigin(origin) != null;
        } catch (IllegalArgumentException malformed) {
            return false; // an Origin that is no URL is no allowed origin
        }
    }

    private static String clientAddress(ServerHttpRequest request, boolean viaGateway) {
        String vouched = request.getHeaders().getFirst(CLIENT_IP);
        if (viaGateway && vouched != null && ADDRESS.matcher(vouched).matches()) {
            return vouched;
        }
        InetSocketAddress peer = request.getRemoteAddress();
        return peer == null || peer.getAddress() == null
                ? "unknown"
                : peer.getAddress().getHostAddress();
    }

    private static Long userId(HttpHeaders headers, boolean viaGateway) {
        String userId = headers.getFirst("X-User-Id");
        if (!viaGateway || userId == null || !WHOLE_NUMBER.matcher(userId).matches()) {
            return null; // a malformed identity is no identity
        }
        return Long.parseLong(userId);
    }
}
