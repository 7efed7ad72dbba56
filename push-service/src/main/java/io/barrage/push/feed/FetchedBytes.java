package io.barrage.push.feed;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * {@code barrage.push.feed.fetched.bytes{feed}}: the bytes of danmaku.events one feed's consumer fetched
 * ({@code own} for the shard's own partitions, {@code borrowed} for other owners' hot videos), from the
 * consumer's client-level {@code bytes-consumed-total}. What a spread costs in Kafka reads per shard.
 *
 * <p>Not Micrometer's Kafka binder alone: across a registry it keeps one tag set per meter name, the most
 * detailed, so once one consumer has its per-topic meter the client-level meter of another is dropped, and a
 * per-topic meter appears only at the binder's next refresh (a minute): the borrowed consumer's bytes read 0.
 */
final class FetchedBytes {

    static final String METER = "barrage.push.feed.fetched.bytes";

    private FetchedBytes() {}

    /** Counts the consumer's fetched bytes under {@code feed}; the caller removes the meter with the consumer. */
    static FunctionCounter register(MeterRegistry meters, String feed, Consumer<?, ?> consumer) {
        return FunctionCounter.builder(METER, consumer, FetchedBytes::read)
                .baseUnit("bytes")
                .tag("feed", feed)
                .description("Bytes of danmaku.events this shard's feed fetched from Kafka")
                .register(meters);
    }

    private static double read(Consumer<?, ?> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            MetricName name = metric.getKey();
            if (name.name().equals("bytes-consumed-total")
                    && name.group().equals("consumer-fetch-manager-metrics")
                    && !name.tags().containsKey("topic")
                    && metric.getValue().metricValue() instanceof Number bytes) {
                return bytes.doubleValue();
            }
        }
        return 0;
    }
}
