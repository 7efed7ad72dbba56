package io.barrage.gateway.edge;

import java.time.Duration;
import org.reactivestreams.Subscription;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A client whose request body falls silent for longer than {@code barrage.gateway.request-read-timeout}
 * is cut off: 408 {@code request-timeout} when nothing was answered yet, and the connection closes
 * (Reactor Netty does not keep a connection whose request was not read to its end). A trickled body
 * otherwise holds a connection, a proxied request and a service's worker thread open for as long as the
 * client likes.
 *
 * <p>Only silence counts, and only while the gateway is waiting for bytes (the proxy has asked for more
 * and nothing came): a big upload streaming at speed is never cut, and neither is a body the gateway is
 * not reading yet (while it checks the session) or holds back because the service reads slowly. Reactor
 * Netty's own {@code readTimeout} counts those pauses too, which cut off ordinary requests whose session
 * check took longer than the limit. Idle keep-alive connections between requests are bounded by
 * {@code server.netty.idle-timeout}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class RequestBodyTimeout implements WebFilter {

    private final Duration limit;
    private final Scheduler timer = Schedulers.parallel();

    RequestBodyTimeout(Properties properties) {
        Duration limit = properties.requestReadTimeout();
        if (limit == null || limit.isZero() || limit.isNegative()) {
            throw new IllegalStateException("barrage.gateway.request-read-timeout must be a positive duration");
        }
        this.limit = limit;
    }

    /** @param requestReadTimeout the longest silence allowed while the gateway waits for a request's body */
    @ConfigurationProperties("barrage.gateway")
    record Properties(Duration requestReadTimeout) {}

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (Bodies.absent(exchange.getRequest())) {
            // a GET: the proxy still subscribes to its empty body, and arming the alarm for it put a task
            // on the parallel scheduler (and often woke its thread) for every request
            return chain.filter(exchange);
        }
        var bounded = new ServerHttpRequestDecorator(exchange.getRequest()) {
            @Override
            public Flux<DataBuffer> getBody() {
                return super.getBody()
                        .transform(Operators.<DataBuffer, DataBuffer>lift(
                                (scannable, actual) -> new SilenceBound(actual, limit, timer)));
            }
        };
        return chain.filter(exchange.mutate().request(bounded).build());
    }

    /** Passes the body through, failing it when a requested buffer does not come within the limit. */
    static final class SilenceBound implements CoreSubscriber<DataBuffer>, Subscription {

        private final CoreSubscriber<? super DataBuffer> actual;
        private final Duration limit;
        private final Scheduler timer;
        private Subscription upstream;
        private long demand;
        private Disposable alarm;
        private boolean done;

        SilenceBound(CoreSubscriber<? super DataBuffer> actual, Duration limit, Scheduler timer) {
            this.actual = actual;
            this.limit = limit;
            this.timer = timer;
        }

        @Override
        public reactor.util.context.Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            this.upstream = subscription;
            actual.onSubscribe(this);
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (done) {
                    return;
                }
                demand = Operators.addCap(demand, n);
                arm();
            }
            upstream.request(n);
        }

        @Override
        public synchronized void onNext(DataBuffer buffer) {
            if (done) {
                DataBufferUtils.release(buffer);
                return;
            }
            disarm();
            if (demand != Long.MAX_VALUE) {
                demand--;
            }
            if (demand > 0) {
                arm();
            }
            actual.onNext(buffer);
        }

        @Override
        public synchronized void onError(Throwable error) {
            if (done) {
                return;
            }
            done = true;
            disarm();
            actual.onError(error);
        }

        @Override
        public synchronized void onComplete() {
            if (done) {
                return;
            }
            done = true;
            disarm();
            actual.onComplete();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                done = true;
                disarm();
            }
            upstream.cancel();
        }

        private void arm() {
            if (alarm == null) {
                alarm = timer.schedule(this::expire, limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }

        private void disarm() {
            if (alarm != null) {
                alarm.dispose();
                alarm = null;
            }
        }

        private void expire() {
            synchronized (this) {
                if (done || alarm == null) {
                    return;
                }
                done = true;
                alarm = null;
                actual.onError(new ResponseStatusException(
                        HttpStatus.REQUEST_TIMEOUT, "no bytes of the request body for " + limit.toMillis() + " ms"));
            }
            upstream.cancel();
        }
    }
}
