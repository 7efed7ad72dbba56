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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
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
 * <p>The upgrade is refused with a problem+json: first for what {@link RoomUpgrade} finds in the request
 * (405, 400, 421 {@code wrong-shard}, 403 {@code origin-not-allowed}, 426, 400), then 429 (code {@code
 * too-many-connections}, with Retry-After) once the client's address or user holds as many viewers on this
 * shard as {@link ConnectionCaps} allows, and 503 (code {@code shard-full}, with Retry-After) once the shard
 * holds {@code max-connections} viewers.
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
    static final String SHARD_HEADER = RoomUpgrade.SHARD_HEADER;
    /** A capped client frees a place only by closing a connection; a few seconds is the soonest worth trying. */
    private static final String RETRY_AFTER_SECONDS = "10";

    private static final Logger log = LoggerFactory.getLogger(RoomEndpoint.class);

    static final AttributeKey<Viewer> VIEWER = AttributeKey.valueOf(RoomEndpoint.class.getName() + ".viewer");
    static final ChannelHandler WRITABILITY = new Writability();
    /** A viewer closed with a code gets this long to take the close frame before the connection is cut. */
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final Rooms rooms;
    private final RoomUpgrade upgrade;
    private final ConnectionCaps caps;
    private final JsonMapper json;
    private final int maxMessageBytes;
    private final int maxMessagesPerSecond;
    private final int maxConnections;
    private final WebsocketServerSpec spec;

    RoomEndpoint(
            Rooms rooms,
            Shards shards,
            SpreadView spread,
            ConnectionCaps caps,
            JsonMapper json,
            PushProperties properties,
            @Value("${barrage.service-token}") String serviceToken) {
        this.rooms = rooms;
        this.upgrade = new RoomUpgrade(shards, spread, properties.allowedOrigins(), serviceToken);
        this.caps = caps;
        this.json = json;
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
        return switch (upgrade.check(exchange.getRequest(), path)) {
            case RoomUpgrade.Refusal refusal -> refuse(exchange, refusal);
            case RoomUpgrade.Upgrade request -> admit(exchange, request);
        };
    }

    /** Within this client's caps and the shard's capacity, the upgrade; a lease holds its place meanwhile. */
    private Mono<Void> admit(ServerWebExchange exchange, RoomUpgrade.Upgrade request) {
        ConnectionCaps.Admission admission = caps.admit(request.clientAddress(), request.userId());
        if (admission.lease() == null) {
            return refuse(
                    exchange,
                    RoomUpgrade.Refusal.of(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "too-many-connections",
                            admission.refusal() == ConnectionCaps.Refusal.USER
                                    ? "This account has as many live connections open as it may; close one first."
                                    : "This address has as many live connections open as it may; close one first.",
                            Map.of(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)));
        }
        ConnectionCaps.Lease lease = admission.lease();
        if (ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest()) instanceof Connection connection) {
            // Given back when the connection ends, however it ends (also if the upgrade below fails).
            connection.channel().closeFuture().addListener(closed -> lease.release());
        }
        if (rooms.connections() >= maxConnections) {
            lease.release();
            return refuse(
                    exchange,
                    RoomUpgrade.Refusal.of(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "shard-full",
                            "This push shard holds as many viewers as it may; try again shortly.",
                            Map.of(HttpHeaders.RETRY_AFTER, "5")));
        }
        String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
        ServerHttpResponse response = exchange.getResponse();
        HttpServerResponse nettyResponse = ServerHttpResponseDecorator.getNativeResponse(response);
        // Committing first runs WebFlux's before-commit actions (the request id header) on the 101.
        return response.setComplete()
                .then(Mono.defer(() -> nettyResponse.sendWebsocket(
                        (in, out) -> serve(in, out, request.videoId(), request.since(), requestId, lease), spec)))
                .doOnError(error -> lease.release());
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
        return problemBody(RoomUpgrade.Refusal.wrongShard(videoId, owner));
    }

    private ObjectNode problemBody(RoomUpgrade.Refusal refusal) {
        ObjectNode body = json.createObjectNode()
                .put("type", "about:blank")
                .put("title", refusal.title())
                .put("status", refusal.status())
                .put("detail", refusal.detail())
                .put("code", refusal.code());
        return refusal.shard() == null ? body : body.put("shard", refusal.shard());
    }

    private Mono<Void> refuse(ServerWebExchange exchange, RoomUpgrade.Refusal refusal) {
        ServerHttpResponse response = exchange.getResponse();
        refusal.headers().forEach(response.getHeaders()::set);
        ObjectNode problem = problemBody(refusal)
                .put("instance", exchange.getRequest().getPath().value());
        response.setStatusCode(HttpStatusCode.valueOf(refusal.status()));
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
