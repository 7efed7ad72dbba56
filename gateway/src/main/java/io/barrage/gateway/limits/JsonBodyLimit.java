package io.barrage.gateway.limits;

import io.barrage.gateway.edge.Problems;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
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
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class JsonBodyLimit implements WebFilter {

    private static final String UPLOAD_PATH = "/api/v1/videos";
    private static final String RESUMABLE_PREFIX = "/api/v1/uploads/";

    private final long maxBytes;
    private final ApplicationContext publicContext;

    JsonBodyLimit(@Value("${barrage.gateway.max-json-body:64KB}") DataSize maxBody, ApplicationContext publicContext) {
        this.maxBytes = maxBody.toBytes();
        this.publicContext = publicContext;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (exchange.getApplicationContext() != publicContext || isUpload(request)) {
            return chain.filter(exchange);
        }
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return tooLarge(exchange);
        }
        if (declared >= 0) {
            return chain.filter(exchange);
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                AtomicLong seen = new AtomicLong();
                return super.getBody().handle((buffer, sink) -> {
                    if (seen.addAndGet(buffer.readableByteCount()) > maxBytes) {
                        org.springframework.core.io.buffer.DataBufferUtils.release(buffer);
                        sink.error(new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE));
                    } else {
                        sink.next(buffer);
                    }
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    private Mono<Void> tooLarge(ServerWebExchange exchange) {
        return Problems.write(
                exchange,
                HttpStatus.CONTENT_TOO_LARGE,
                "payload-too-large",
                "The body is larger than " + maxBytes + " bytes.");
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
