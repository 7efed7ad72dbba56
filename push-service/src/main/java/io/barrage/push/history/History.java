package io.barrage.push.history;

import io.barrage.push.PushProperties;
import io.barrage.push.room.Item;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a video's danmaku by seq from danmaku-service for a resuming viewer.
 *
 * <p>History is written asynchronously from the same stream, so it can lag the live one: the answer says
 * up to which seq it is complete ({@code persistedSeq}; rows are written in partition order), and when that
 * is short of what we need we ask again for up to {@code history-wait}. What is still missing then, what
 * lies further back than {@code catch-up-limit} seqs, or everything when danmaku-service cannot be asked
 * (down, failing, circuit open) comes back as a gap, which the viewer is told about.
 *
 * <p>The catch-up is bounded in work and in memory: at most {@code catch-up-limit} seqs are read, in pages of
 * {@code catch-up-page}, each handed to the viewer's queue (which waits while the viewer is slow) before the
 * next is asked for. A {@code since=0} on a video this shard has no recent state for once read the whole
 * history into one list.
 */
@Component
public class History {

    private static final Logger log = LoggerFactory.getLogger(History.class);
    private static final long RETRY_MILLIS = 200;

    private final DanmakuHistoryClient client;
    private final JsonMapper json;
    private final CircuitBreaker circuitBreaker;
    private final int catchUpLimit;
    private final int pageSize;
    private final long waitNanos;

    History(DanmakuHistoryClient client, JsonMapper json, PushProperties properties) {
        this.client = client;
        this.json = json;
        this.catchUpLimit = properties.catchUpLimit();
        this.pageSize = properties.catchUpPage();
        this.waitNanos = properties.historyWait().toNanos();
        // After half of at least five recent calls failed, stop asking for 10 s: resumes then get their gap
        // at once instead of each waiting out the Feign timeouts.
        this.circuitBreaker = CircuitBreaker.of(
                "danmaku-service",
                CircuitBreakerConfig.custom()
                        .slidingWindowSize(20)
                        .minimumNumberOfCalls(5)
                        .failureRateThreshold(50)
                        .waitDurationInOpenState(Duration.ofSeconds(10))
                        .permittedNumberOfCallsInHalfOpenState(2)
                        .build());
    }

    /**
     * Where a catch-up goes, page by page: this class never holds more than one page of items, however long
     * the video's history.
     */
    public interface Sink {

        /** The next items, in seq order; false when the viewer is gone and the catch-up should stop. */
        boolean items(List<Item> items) throws InterruptedException;

        /** Seqs {@code fromSeq..toSeq} will not come; {@code toSeq} 0 when the end is not known. */
        void gap(long fromSeq, long toSeq);
    }

    /**
     * Sends the seqs (since, until] to the sink as far as history has them, at most {@code catch-up-limit} of
     * them: what lies further back comes first as a gap. What history could not give after that comes last
     * as a gap. {@code until} -1: this shard does not know the video's last seq; take danmaku-service's
     * (then the bound is applied once the first page tells it). False when the sink gave up.
     */
    public boolean since(long videoId, long since, long until, Sink sink) throws InterruptedException {
        long from = until > 0 ? bound(since, until, sink) : since;
        long target = until;
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            DanmakuHistoryClient.Since page;
            try {
                long after = from;
                page = circuitBreaker.executeSupplier(() -> client.since(videoId, after, pageSize));
            } catch (RuntimeException e) {
                log.warn("history of video {} after seq {} unavailable: {}", videoId, from, e.toString());
                sink.gap(from + 1, Math.max(0, target));
                return true;
            }
            if (target < 0) {
                target = page.publishedSeq();
                if (target <= since) {
                    return true;
                }
                long bounded = bound(since, target, sink);
                if (bounded != from) {
                    from = bounded; // this page lies before the bound: ask again from there
                    continue;
                }
            }
            List<Item> items = new ArrayList<>(page.items().size());
            boolean reached = false;
            for (JsonNode node : page.items()) {
                Item item = item(node);
                if (item == null) {
                    continue;
                }
                if (item.seq() > target) {
                    reached = true;
                    break;
                }
                items.add(item);
                from = item.seq();
            }
            if (!items.isEmpty() && !sink.items(items)) {
                return false;
            }
            if (reached || from >= target || (!page.more() && page.persistedSeq() >= target)) {
                return true;
            }
            if (page.more()) {
                continue;
            }
            if (System.nanoTime() - deadline > 0) {
                long complete = Math.max(from, Math.min(page.persistedSeq(), target));
                log.info(
                        "history of video {} complete only up to seq {} of {}; reporting a gap",
                        videoId,
                        complete,
                        target);
                sink.gap(complete + 1, target);
                return true;
            }
            Thread.sleep(RETRY_MILLIS);
        }
    }

    /**
     * Where a catch-up of (since, until] starts: at {@code since}, or {@code catch-up-limit} seqs before
     * {@code until}, the older ones then told to the sink as a gap.
     */
    private long bound(long since, long until, Sink sink) {
        if (until - since <= catchUpLimit) {
            return since;
        }
        long skippedTo = until - catchUpLimit;
        sink.gap(since + 1, skippedTo);
        return skippedTo;
    }

    private Item item(JsonNode node) {
        if (!node.path("seq").canConvertToLong() || node.path("id").isMissingNode()) {
            return null;
        }
        long createdAt = 0;
        try {
            createdAt = Instant.parse(node.path("createdAt").asString("")).toEpochMilli();
        } catch (DateTimeParseException e) {
            // still delivered, just not measured
        }
        return new Item(node.get("seq").asLong(), node.get("id").asString(), json.writeValueAsString(node), createdAt);
    }
}
