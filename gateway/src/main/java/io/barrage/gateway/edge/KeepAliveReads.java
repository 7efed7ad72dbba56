package io.barrage.gateway.edge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.netty.NettyPipeline;
import reactor.netty.channel.ChannelOperations;
import reactor.netty.http.server.HttpServerRequest;

/**
 * Keeps a keep-alive connection reading after the gateway answered a queued request by itself.
 *
 * <p>Reactor Netty's server reads on demand: after each exchange it must ask for the next read. When a
 * request arrives before the previous exchange has fully terminated (pipelined, or simply sent at once
 * by a client that already had the whole previous response, which a busy machine makes likely), it is
 * queued with its end marker and replayed later. If that replayed request is answered synchronously,
 * within the replay, before the queued end of that request (a 304 for the web UI, a 403, 404 or 413
 * problem: anything the gateway answers without I/O), the server drains the rest of the queue and
 * never asks for a read again: the connection stays open and the client's next request waits forever
 * (reactor/reactor-netty#4361, reported against 1.3.7; fixed upstream after it). Answers that
 * involve I/O (proxied requests, Redis) complete after the replay, which is why only the gateway's own
 * answers showed it.
 *
 * <p>The repair: when an exchange terminates, after anything the server scheduled for it, ask for a
 * read unless a new exchange is already in progress on the connection. An extra read on an idle
 * connection is what the server itself does after a normal exchange; while an exchange is in progress
 * nothing is done, so request bodies keep their back-pressure. Remove this once Reactor Netty carries
 * the fix (WebUiEdgeTest reproduces the hang without it).
 */
@Configuration(proxyBeanMethods = false)
class KeepAliveReads {

    private static final String HANDLER = "barrage.keepAliveReads";
    // package-private in Reactor Netty; HttpServerOperations fires it down the pipeline on termination
    private static final String TERMINATED_EVENT = "reactor.netty.http.server.HttpServerOperationsTerminatedEvent";

    @Bean
    NettyServerCustomizer keepAliveReadsAfterQueuedRequests() {
        ResumeReading handler = new ResumeReading();
        return server -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(NettyPipeline.HttpTrafficHandler) != null && pipeline.get(HANDLER) == null) {
                pipeline.addAfter(NettyPipeline.HttpTrafficHandler, HANDLER, handler);
            }
        });
    }

    @ChannelHandler.Sharable
    static final class ResumeReading extends ChannelInboundHandlerAdapter {

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event.getClass().getName().equals(TERMINATED_EVENT)) {
                // The traffic handler has just scheduled its replay of queued requests, if any; this task
                // runs after it, when that replay (and any exchange it answered synchronously) is done.
                ctx.executor().execute(() -> readIfIdle(ctx));
            }
            super.userEventTriggered(ctx, event);
        }

        private static void readIfIdle(ChannelHandlerContext ctx) {
            Channel channel = ctx.channel();
            if (!channel.isActive()) {
                return;
            }
            ChannelOperations<?, ?> exchange = ChannelOperations.get(channel);
            if (exchange instanceof HttpServerRequest && !exchange.isDisposed()) {
                return; // an exchange is running: it asks for reads (and the next one) itself
            }
            ctx.read();
        }
    }
}
