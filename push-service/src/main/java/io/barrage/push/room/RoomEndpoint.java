package io.barrage.push.room;

import io.barrage.platform.requestid.RequestIds;
import io.barrage.push.PushProperties;
import io.barrage.push.shard.Shards;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /ws/v1/videos/{id}[?since={seq}]}: joins the video's room, resuming after {@code since} when given.
 *
 * <p>Served straight on Reactor Netty rather than through Spring's {@code WebSocketSession}: a room writes the
 * same frame to every viewer, and here each viewer's write is the frame's bytes handed to its channel on
 * the channel's event loop ({@link Viewer}, {@link Wire}), with Netty's writability as the backpressure.
 * Spring WebFlux still serves everything else on the same port (the online count, actuator).
 *
 * <p>The upgrade is refused with a problem+json: 405 for another method than GET, 400 unless the path ends
 * in a video id and {@code since} (if given) is a seq (a whole number, 0 or more), 421 (Misdirected Request)
 * with the owner's index in {@code X-Barrage-Shard} if another shard serves the video (during a rollout a
 * viewer may reach the wrong shard, and must be told rather than silently served nothing), 403 for an origin
 * not allowed (checked here only for a connection that did not come through the gateway, which checks it
 * itself), 426 for a plain HTTP request or another WebSocket version than 13, 400 for an upgrade without
 * a key, 429 (code {@code too-many-connections}, with Retry-After) once the client's address or user holds
 * as many viewers on this shard as {@link ConnectionCaps} allows, and 503 (code {@code shard-full}, with
 * Retry-After) once the shard holds {@code max-connections} viewers.
 *
 * <p>Clients have nothing to say; a text message only proves they are alive. Input is limited: a message
 * over {@code max-client-message-bytes} closes with 1009 (too big; a single frame that size is refused by
 * Netty's decoder with the same code), a binary message with 1003 (unsupported data), and more than {@code
 * max-client-messages-per-second} text messages in a second with 1008 (policy violation).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10) // after the request id
class RoomEndpoint implements WebFilter {

    static final String PATH_PREFIX = "/ws/v1/videos/";
    static final String SHARD_HEADER = "X-Barrage-Shard";
    static final String CLIENT_IP = "X-Client-Ip";
    /** A capped client frees a place only by closing a connection; a few seconds is the soonest worth trying. */
    private static final String RETRY_AFTER_SECONDS = "10";

    private static final Logger log = LoggerFactory.getLogger(RoomEndpoint.class);
    /** A video id or a seq: digits that fit a long. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");

    static final AttributeKey<Viewer> VIEWER = AttributeKey.valueOf(RoomEndpoint.class.getName() + ".viewer");
    static final ChannelHandler WRITABILITY = new Writability();
    /** A viewer closed with a code gets this long to take the close frame before the connection is cut. */
    private static final long CLOSE_GRACE_SECONDS = 5;

    /** IPv4 or IPv6 text, as the gateway writes {@code X-Client-Ip}; anything else is not an address. */
    private static final Pattern ADDRESS = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private final Rooms rooms;
    private final Shards shards;
    private final ConnectionCaps caps;
    private final byte[] serviceToken;
    private final JsonMapper json;
    private final CorsConfiguration origins = new CorsConfiguration();
    private final int maxMessageBytes;
    private final int maxMessagesPerSecond;
    private final int maxConnections;
    private final WebsocketServerSpec spec;

    RoomEndpoint(
            Rooms rooms,
            Shards shards,
            ConnectionCaps caps,
            JsonMapper json,
            PushProperties properties,
            @Value("${barrage.service-token}") String serviceToken) {
        this.rooms = rooms;
        this.shards = shards;
        this.caps = caps;
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
        this.json = json;
        this.origins.setAllowedOriginPatterns(
                properties.allowedOrigins() == null ? List.of() : properties.allowedOrigins());
        this.maxMessageBytes = properties.maxClientMessageBytes();
        this.maxMessagesPerSecond = properties.maxClientMessagesPerSecond();
        this.maxConnections = properties.maxConnections();
        this.spec = WebsocketServerSpec.builder()
                .maxFramePayloadLength(maxMessageBytes)
                .build();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith(PATH_PREFIX)) {
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        HttpHeaders headers = exchange.getRequest().getHeaders();
        if (exchange.getRequest().getMethod() != HttpMethod.GET) {
            response.getHeaders().setAllow(Set.of(HttpMethod.GET));
            return problem(exchange, HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Only GET opens a room.");
        }
        String id = path.substring(PATH_PREFIX.length());
        long videoId = WHOLE_NUMBER.matcher(id).matches() ? Long.parseLong(id) : 0;
        if (videoId <= 0) {
            return problem(exchange, HttpStatus.BAD_REQUEST, "invalid-request", "The path must end in a video id.");
        }
        Long since = null;
        String sinceParam = exchange.getRequest().getQueryParams().getFirst("since");
        if (sinceParam != null) {
            if (!WHOLE_NUMBER.matcher(sinceParam).matches()) {
                return problem(
                        exchange,
                        HttpStatus.BAD_REQUEST,
                        "invalid-request",
                        "'since' must be a seq: a whole number, 0 or more.");
            }
            since = Long.parseLong(sinceParam);
        }
        if (!shards.owns(videoId)) {
            int owner = shards.ownerOf(videoId);
            response.getHeaders().set(SHARD_HEADER, Integer.toString(owner));
            return write(exchange, wrongShard(videoId, owner));
        }
        boolean viaGateway = fromGateway(headers);
        if (!viaGateway && !originAllowed(exchange)) {
            return problem(exchange, HttpStatus.FORBIDDEN, "origin-not-allowed", "This origin may not open rooms.");
        }
        if (!"websocket".equalsIgnoreCase(headers.getUpgrade())) {
            response.getHeaders().setUpgrade("websocket");
            return problem(
                    exchange,
                    HttpStatus.UPGRADE_REQUIRED,
                    "upgrade-required",
                    "This is a WebSocket endpoint: ask for an upgrade to websocket.");
        }
        if (!"13".equals(headers.getFirst("Sec-WebSocket-Version"))) {
            response.getHeaders().set("Sec-WebSocket-Version", "13");
            return problem(
                    exchange,
                    HttpStatus.UPGRADE_REQUIRED,
                    "upgrade-required",
                    "Only WebSocket version 13 (RFC 6455) is spoken here.");
        }
        if (headers.getFirst("Sec-WebSocket-Key") == null) {
            return problem(
                    exchange, HttpStatus.BAD_REQUEST, "invalid-request", "The upgrade has no Sec-WebSocket-Key.");
        }
        ConnectionCaps.Admission admission =
                caps.admit(clientAddress(exchange, viaGateway), userId(headers, viaGateway));
        if (admission.lease() == null) {
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            return problem(
                    exchange,
                    HttpStatus.TOO_MANY_REQUESTS,
                    "too-many-connections",
                    admission.refusal() == ConnectionCaps.Refusal.USER
                            ? "This account has as many live connections open as it may; close one first."
                            : "This address has as many live connections open as it may; close one first.");
        }
        ConnectionCaps.Lease lease = admission.lease();
        if (ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof Connection connection) {
            // Given back when the connection ends, however it ends (also if the upgrade below fails).
            connection.channel().closeFuture().addListener(closed -> lease.release());
        }
        if (rooms.connections() >= maxConnections) {
            lease.release();
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
            return problem(
                    exchange,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "shard-full",
                    "This push shard holds as many viewers as it may; try again shortly.");
        }
        long video = videoId;
        Long after = since;
        String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
        HttpServerResponse nettyResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        // Committing first runs WebFlux's before-commit actions (the request id header) on the 101.
        return response.setComplete()
                .then(Mono.defer(() ->
                        nettyResponse.sendWebsocket((in, out) -> serve(in, out, video, after, requestId, lease), spec)))
                .doOnError(error -> lease.release());
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
    private boolean originAllowed(ServerWebExchange exchange) {
        String origin = exchange.getRequest().getHeaders().getOrigin();
        if (origin == null) {
            return true;
        }
        try {
            return !CorsUtils.isCorsRequest(exchange.getRequest()) || origins.checkOrigin(origin) != null;
        } catch (IllegalArgumentException malformed) {
            return false; // an Origin that is no URL is no allowed origin
        }
    }

    private static String clientAddress(ServerWebExchange exchange, boolean viaGateway) {
        String vouched = exchange.getRequest().getHeaders().getFirst(CLIENT_IP);
        if (viaGateway && vouched != null && ADDRESS.matcher(vouched).matches()) {
            return vouched;
        }
        java.net.InetSocketAddress peer = exchange.getRequest().getRemoteAddress();
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

    private Mono<Void> serve(
            WebsocketInbound in,
            WebsocketOutbound out,
            long videoId,
            Long since,
            String requestId,
            ConnectionCaps.Lease lease) {
        Connection[] connection = new Connection[1];
        in.withConnection(c -> connection[0] = c);
        Channel channel = connection[0].channel();
        Viewer viewer =
                rooms.join(videoId, channel, (code, reason) -> close(channel, out, code, reason), since, requestId);
        channel.attr(VIEWER).set(viewer);
        connection[0].addHandlerLast("barrage.writability", WRITABILITY);
        return in.receiveFrames()
                .doOnNext(frame -> received(viewer, frame))
                .then()
                .doFinally(signal -> {
                    lease.release();
                    rooms.leave(viewer);
                });
    }

    private void received(Viewer viewer, WebSocketFrame frame) {
        if (viewer.isClosing()) {
            return;
        }
        switch (frame) {
            case TextWebSocketFrame text -> message(viewer, text);
            case ContinuationWebSocketFrame part -> message(viewer, part);
            case BinaryWebSocketFrame ignored ->
                viewer.close(Viewer.UNSUPPORTED_DATA, "binary messages are not accepted");
            case PongWebSocketFrame ignored -> viewer.heard();
            case PingWebSocketFrame ignored -> viewer.heard();
            default -> {}
        }
    }

    private void message(Viewer viewer, WebSocketFrame part) {
        if (!viewer.received(part.content().readableBytes(), part.isFinalFragment(), maxMessageBytes)) {
            viewer.close(Viewer.TOO_BIG, "message too big");
        } else if (part.isFinalFragment()) {
            if (viewer.withinRate(maxMessagesPerSecond)) {
                viewer.heard();
            } else {
                viewer.close(Viewer.POLICY_VIOLATION, "too many messages");
            }
        }
    }

    /** A close frame through Reactor Netty (which then sends no other), and a cut if it is not taken. */
    private static void close(Channel channel, WebsocketOutbound out, int code, String reason) {
        out.sendClose(code, reason)
                .subscribe(null, error -> log.debug("closing {} failed: {}", channel.id(), error.toString()));
        channel.eventLoop().schedule(() -> channel.close(), CLOSE_GRACE_SECONDS, TimeUnit.SECONDS);
    }

    /** The problem a request for another shard's video gets, here and from the online count. */
    ObjectNode wrongShard(long videoId, int owner) {
        return problemBody(
                        HttpStatusCode.valueOf(421),
                        "Misdirected Request",
                        "wrong-shard",
                        "Video " + videoId + " is served by push shard " + owner + ".")
                .put("shard", owner);
    }

    private ObjectNode problemBody(HttpStatusCode status, String title, String code, String detail) {
        return json.createObjectNode()
                .put("type", "about:blank")
                .put("title", title)
                .put("status", status.value())
                .put("detail", detail)
                .put("code", code);
    }

    private Mono<Void> problem(ServerWebExchange exchange, HttpStatus status, String code, String detail) {
        return write(exchange, problemBody(status, status.getReasonPhrase(), code, detail));
    }

    private Mono<Void> write(ServerWebExchange exchange, ObjectNode problem) {
        ServerHttpResponse response = exchange.getResponse();
        problem.put("instance", exchange.getRequest().getPath().value());
        response.setStatusCode(HttpStatusCode.valueOf(problem.get("status").asInt()));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        byte[] body = json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    /** Resumes a viewer's drain when Netty reports its channel writable again. */
    @ChannelHandler.Sharable
    private static final class Writability extends ChannelInboundHandlerAdapter {

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Viewer viewer = ctx.channel().attr(VIEWER).get();
            if (viewer != null && ctx.channel().isWritable()) {
                viewer.writable();
            }
            ctx.fireChannelWritabilityChanged();
        }
    }
}
