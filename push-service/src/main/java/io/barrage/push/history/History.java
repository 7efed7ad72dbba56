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
 */
@Component
public class History {

    private static final Logger log = LoggerFactory.getLogger(History.class);
    private static final int PAGE = 1000;
    private static final long RETRY_MILLIS = 200;

    private final DanmakuHistoryClient client;
    private final JsonMapper json;
    private final CircuitBreaker circuitBreaker;
    private final int catchUpLimit;
    private final long waitNanos;

    History(DanmakuHistoryClient client, JsonMapper json, PushProperties properties) {
        this.client = client;
        this.json = json;
        this.catchUpLimit = properties.catchUpLimit();
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
     * The seqs (since, until] as far as history has them. {@code skipped*}: a range before the items that was
     * not fetched (too far back); {@code missing*}: a range after them that history could not give. 0 = none;
     * {@code missingTo} is 0 also when the end is not known.
     */
    public record Missed(long skippedFrom, long skippedTo, List<Item> items, long missingFrom, long missingTo) {}

    /** {@code until} -1: this shard does not know the video's last seq; take danmaku-service's. */
    public Missed since(long videoId, long since, long until) {
        long skippedFrom = 0;
        long skippedTo = 0;
        long from = since;
        if (until > 0 && until - since > catchUpLimit) {
            skippedFrom = since + 1;
            skippedTo = until - catchUpLimit;
            from = skippedTo;
        }
        List<Item> items = new ArrayList<>();
        long target = until;
        long deadline = System.nanoTime() + waitNanos;
        while (true) {
            DanmakuHistoryClient.Since page;
            try {
                long after = from;
                page = circuitBreaker.executeSupplier(() -> client.since(videoId, after, PAGE));
            } catch (RuntimeException e) {
                log.warn("history of video {} after seq {} unavailable: {}", videoId, from, e.toString());
                return new Missed(skippedFrom, skippedTo, items, from + 1, Math.max(0, target));
            }
            if (target < 0) {
                target = page.publishedSeq();
                if (target <= since) {
                    return new Missed(0, 0, items, 0, 0);
                }
            }
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
            if (reached || from >= target || (!page.more() && page.persistedSeq() >= target)) {
                return new Missed(skippedFrom, skippedTo, items, 0, 0);
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
                return new Missed(skippedFrom, skippedTo, items, complete + 1, target);
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Missed(skippedFrom, skippedTo, items, from + 1, Math.max(0, target));
            }
        }
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
