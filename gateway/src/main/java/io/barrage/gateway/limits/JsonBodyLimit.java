package io.barrage.gateway.limits;

import io.barrage.gateway.edge.Bodies;
import io.barrage.platform.problem.ReactiveProblems;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every body except a video upload is a small JSON document, so anything bigger is refused at the edge
 * with 413 {@code payload-too-large} before a service has to read it. A declared length is checked up
 * front; a chunked body is counted as it streams and cut off at the limit.
 *
 * <p>Such a body must also arrive whole within {@code barrage.gateway.json-body-read-time} of the
 * gateway starting to read it, else 408 {@code request-timeout}: {@link
 * io.barrage.gateway.edge.RequestBodyTimeout} bounds silence only, so a 60 KB body trickled at 2 KB/s
 * (a byte every half second never falls silent) would otherwise hold a proxied request and a service
 * thread for half a minute. Uploads are exempt: they are large, and video-service bounds them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class JsonBodyLimit implements WebFilter {

    private static final String UPLOAD_PATH = "/api/v1/videos";
    private static final String RESUMABLE_PREFIX = "/api/v1/uploads/";
    // a viewer's danmaku settings: up to a thousand rules, more than a small document (user-service bounds it too)
    private static final String SETTINGS_PATH = "/api/v1/users/me/danmaku-settings";

    private final long maxBytes;
    private final long maxSettingsBytes;
    private final long readTimeNanos;
    private final ApplicationContext publicContext;

    JsonBodyLimit(JsonBodyProperties properties, ApplicationContext publicContext) {
        Duration readTime = properties.jsonBodyReadTime();
        if (readTime.isZero() || readTime.isNegative()) {
            throw new IllegalStateException("barrage.gateway.json-body-read-time must be a positive duration");
        }
        this.maxBytes = properties.maxJsonBody().toBytes();
        this.maxSettingsBytes = properties.maxSettingsBody().toBytes();
        this.readTimeNanos = readTime.toNanos();
        this.publicContext = publicContext;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (exchange.getApplicationContext() != publicContext || isUpload(request) || Bodies.absent(request)) {
            return chain.filter(exchange);
        }
        long limit = isSettings(request) ? maxSettingsBytes : maxBytes;
        long declared = request.getHeaders().getContentLength();
        if (declared > limit) {
            return tooLarge(exchange, limit);
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Flux.defer(() -> {
                    AtomicLong seen = new AtomicLong();
                    long deadline = System.nanoTime() + readTimeNanos;
                    return super.getBody().handle((buffer, sink) -> {
                        if (seen.addAndGet(buffer.readableByteCount()) > limit) {
                            org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                            sink.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE));
                        } else if (System.nanoTime() - deadline > 0) {
                            org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                            sink.error(new ResponseStatusException(
                                    HttpStatus.REQUEST_TIMEOUT, "the request body took too long to arrive"));
                        } else {
                            sink.next(buffer);
                        }
                    });
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    private static Mono<Void> tooLarge(ServerWebExchange exchange, long limit) {
        return ReactiveProblems.write(
                exchange,
                HttpStatus.CONTENT_TOO_LARGE,
                "payload-too-large",
                "The body is larger than " + limit + " bytes.");
    }

    private static boolean isSettings(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        return path.equals(SETTINGS_PATH) || path.startsWith(SETTINGS_PATH + "/");
    }

    /**
     * The multipart upload, and the chunks of a resumable (tus) one; video-service enforces their limit.
     * Only a verified user gets this far with one: UploadGate refuses anonymous uploads unread.
     */
    private static boolean isUpload(ServerHttpRequest request) {
        String path = request.getPath().pathWithinApplication().value();
        return (request.getMethod() == HttpMethod.POST && UPLOAD_PATH.equals(path))
                || (request.getMethod() == HttpMethod.PATCH && path.startsWith(RESUMABLE_PREFIX));
    }
}
