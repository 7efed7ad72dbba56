package io.barrage.platform.requestid;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** The request id on a Kafka record: its {@code X-Request-Id} header. */
public final class KafkaRequestIds {

    private KafkaRequestIds() {}

    /** Adds the current request's id to a record about to be sent, unless it already carries one. */
    public static void stamp(Headers headers) {
        String id = RequestIds.current();
        if (id != null && headers.lastHeader(RequestIds.HEADER) == null) {
            headers.add(RequestIds.HEADER, id.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The id a received record carries, in the accepted shape, or null. */
    public static @Nullable String of(Headers headers) {
        Header header = headers.lastHeader(RequestIds.HEADER);
        return header == null ? null : RequestIds.acceptOrNew(new String(header.value(), StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code work} with the record's id in the MDC, for consumers that poll by hand (a listener
     * container gets it from {@link RequestIdRecordInterceptor}).
     */
    public static void withIdOf(Headers headers, Runnable work) {
        String id = of(headers);
        if (id == null) {
            work.run();
            return;
        }
        MDC.put(RequestIds.MDC_KEY, id);
        try {
            work.run();
        } finally {
            MDC.remove(RequestIds.MDC_KEY);
        }
    }
}
