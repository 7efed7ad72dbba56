package io.barrage.danmaku;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/** Idempotency-Key, rate limits, banned words, and what a client sees while Kafka is down. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestGuardsTest extends DanmakuTestBase {

    @Autowired
    StringRedisTemplate redis;

    @Test
    @Order(1)
    void aRetryWithTheSameIdempotencyKeyReturnsTheFirstResult() throws Exception {
        String body = "{\"text\":\"only once\",\"playbackMs\":1000}";
        HttpResponse<String> first = post(20, 501, body, "Idempotency-Key", "retry-me-1");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        HttpResponse<String> retry = post(20, 501, body, "Idempotency-Key", "retry-me-1");
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        JsonNode a = json.readTree(first.body());
        JsonNode b = json.readTree(retry.body());
        assertThat(b.get("id").asString()).isEqualTo(a.get("id").asString());
        assertThat(b.get("seq").asLong()).isEqualTo(a.get("seq").asLong());
        assertThat(b).isEqualTo(a);

        // The same key from another user is that user's own key.
        HttpResponse<String> otherUser = post(20, 502, body, "Idempotency-Key", "retry-me-1");
        assertThat(otherUser.statusCode()).isEqualTo(201);
        assertThat(json.readTree(otherUser.body()).get("id").asString())
                .isNotEqualTo(a.get("id").asString());

        // Reusing a key for a different danmaku is refused.
        assertProblem(
                post(20, 501, "{\"text\":\"something else\",\"playbackMs\":1000}", "Idempotency-Key", "retry-me-1"),
                422,
                "idempotency-key-reused");
        // The key lives in Redis with a TTL.
        assertThat(redis.getExpire("danmaku:idem:501:retry-me-1")).isPositive();

        await(() -> count("SELECT COUNT(*) FROM danmaku WHERE video_id = ?", 20L) == 2);
        assertThat(count("SELECT COUNT(*) FROM danmaku WHERE text = ?", "only once"))
                .isEqualTo(2);
        assertThat(rowsWithId(a.get("id").asString())).isEqualTo(1);
    }

    @Test
    @Order(2)
    void aFailedRequestDoesNotBurnItsKey() throws Exception {
        assertProblem(
                post(20, 503, "{\"text\":\"   \",\"playbackMs\":0}", "Idempotency-Key", "k-2"), 400, "text-empty");
        HttpResponse<String> retry = post(20, 503, "{\"text\":\"   \",\"playbackMs\":0}", "Idempotency-Key", "k-2");
        assertProblem(retry, 400, "text-empty");
        assertProblem(
                post(20, 503, "{\"text\":\"x\",\"playbackMs\":0}", "Idempotency-Key", " "),
                400,
                "invalid-idempotency-key");
    }

    @Test
    @Order(3)
    void aUserWhoSendsTooFastIsCooledDown() throws Exception {
        for (int i = 0; i < 5; i++) { // the burst
            HttpResponse<String> ok = post(21, 600, "{\"text\":\"spam " + i + "\",\"playbackMs\":" + i + "}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        }
        // The bucket refills one token a second from the first send, so on a slow machine the five may have
        // earned the sixth. Hold it where it is after a burst sent at once: empty, and no refill before the
        // sixth (its time stamp is in the future). BatchAdmissionTest walks a burst without any clock.
        redis.opsForHash().putAll("danmaku:rate:user:600", Map.of("tokens", "0", "ts", redisNowMs(60_000)));
        HttpResponse<String> refused = post(21, 600, "{\"text\":\"one more\",\"playbackMs\":9}");
        assertProblem(refused, 429, "cooldown");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1"); // one token at 1 s per token
        // Someone else may still send to the same video.
        assertThat(post(21, 601, "{\"text\":\"me too\",\"playbackMs\":9}").statusCode())
                .isEqualTo(201);
        assertThat(count("SELECT COUNT(*) FROM danmaku WHERE text = ?", "one more"))
                .isZero();
    }

    @Test
    @Order(4)
    void aFloodedVideoIsRateLimited() throws Exception {
        // The video's bucket is empty, as after a flood: 2,001 tokens at 5 ms each, 10,005 ms of refill, are
        // owed, and none accrues before the request (its time stamp is in the future).
        redis.opsForHash().putAll("danmaku:rate:video:22", Map.of("tokens", "-2000", "ts", redisNowMs(60_000)));
        HttpResponse<String> refused = post(22, 700, "{\"text\":\"flood\",\"playbackMs\":1}");
        assertProblem(refused, 429, "rate-limited");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("11");
        // Refused by the video's limit, the user's own token was not taken.
        assertThat(redis.opsForHash().get("danmaku:rate:user:700", "tokens")).isNull();
    }

    @Test
    @Order(5)
    void bannedWordsAreRefusedInAnyCaseOrWidth() throws Exception {
        assertProblem(post(23, 800, "{\"text\":\"what a badword\",\"playbackMs\":1}"), 400, "banned-word");
        assertProblem(post(23, 801, "{\"text\":\"BadWord!\",\"playbackMs\":1}"), 400, "banned-word");
        assertProblem(post(23, 802, "{\"text\":\"ｂａｄｗｏｒｄ\",\"playbackMs\":1}"), 400, "banned-word");
        assertProblem(post(23, 803, "{\"text\":\"ＢＡＤＷＯＲＤ\",\"playbackMs\":1}"), 400, "banned-word");
        assertProblem(post(23, 804, "{\"text\":\"这是禁止词啊\",\"playbackMs\":1}"), 400, "banned-word");
        HttpResponse<String> fine = post(23, 805, "{\"text\":\"bad word, good word\",\"playbackMs\":1}");
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(201);
        assertThat(count("SELECT COUNT(*) FROM danmaku WHERE video_id = ? AND seq > 1", 23L))
                .isZero();
    }

    @Test
    @Order(100)
    void whileKafkaIsDownAPostGets503AndNothingAppearsLater() throws Exception {
        long videoId = 24;
        assertThat(post(videoId, 900, "{\"text\":\"before the outage\",\"playbackMs\":1}")
                        .statusCode())
                .isEqualTo(201);
        TestInfra.get().stopKafka();
        HttpResponse<String> refused;
        long took;
        try {
            long start = System.nanoTime();
            refused = post(videoId, 901, "{\"text\":\"during the outage\",\"playbackMs\":2}");
            took = (System.nanoTime() - start) / 1_000_000;
        } finally {
            TestInfra.get().startKafka();
        }
        assertProblem(refused, 503, "broker-unavailable");
        assertThat(took).as("ms until the 503").isLessThan(15_000);

        // Once the broker is back (the producer may need a moment to reconnect), sending works again.
        HttpResponse<String> after = null;
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (after == null || after.statusCode() != 201) {
            assertThat(System.nanoTime())
                    .as("no 201 within 60 s of the restart")
                    .isLessThan(deadline);
            after = post(
                    videoId, 902, "{\"text\":\"after the outage\",\"playbackMs\":3}", "Idempotency-Key", "after-1");
        }
        String afterId = json.readTree(after.body()).get("id").asString();
        long afterSeq = json.readTree(after.body()).get("seq").asLong();
        await(() -> rowsWithId(afterId) == 1);
        assertThat(count("SELECT COUNT(*) FROM danmaku WHERE text = ?", "during the outage"))
                .isZero();
        // The refused attempt's seq (2) was voided by a tombstone, so the stream still accounts for every seq.
        List<String> stream = eventsOf(videoId).stream()
                .map(e -> e.get("type").asString() + ":" + e.get("seq").asLong())
                .toList();
        assertThat(stream).first().isEqualTo("DanmakuCreated:1");
        assertThat(stream).contains("DanmakuDeleted:2").last().isEqualTo("DanmakuCreated:" + afterSeq);
        assertThat(stream.stream()
                        .map(e -> Long.parseLong(e.substring(e.indexOf(':') + 1)))
                        .distinct()
                        .sorted())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, afterSeq)
                        .boxed()
                        .toList());
    }

    @Test
    @Order(101)
    void whileRedisIsDownDanmakuAreStillAcceptedAndHistoryComesFromMariaDb() throws Exception {
        long videoId = 61;
        HttpResponse<String> before = post(videoId, 950, "{\"text\":\"cached before\",\"playbackMs\":5}");
        assertThat(before.statusCode()).as(before.body()).isEqualTo(201);
        String beforeId = json.readTree(before.body()).get("id").asString();
        await(() -> rowsWithId(beforeId) == 1);
        TestInfra.get().stopRedis();
        try {
            // the limits and the Idempotency-Key check fail open (documented); ingest does not need Redis
            HttpResponse<String> during = post(
                    videoId, 951, "{\"text\":\"sent while Redis is down\",\"playbackMs\":6}", "Idempotency-Key", "k1");
            assertThat(during.statusCode()).as(during.body()).isEqualTo(201);
            String duringId = json.readTree(during.body()).get("id").asString();
            await(() -> rowsWithId(duringId) == 1);
            // history is read from MariaDB: degraded, but complete
            JsonNode history = getJson("/api/v1/videos/" + videoId + "/danmaku?segment=0");
            assertThat(history.get("items")
                            .valueStream()
                            .map(d -> d.get("text").asString())
                            .toList())
                    .containsExactly("cached before", "sent while Redis is down");
        } finally {
            TestInfra.get().startRedis();
            // The next test class shares this context: wait until its Redis client has reconnected.
            await(IngestGuardsTest.this::redisAnswers);
        }
    }

    private boolean redisAnswers() {
        try {
            redis.opsForValue().set("danmaku:test:reconnected", "1");
            return true;
        } catch (DataAccessException e) {
            return false;
        }
    }

    /** Redis runs on this machine, so its clock is ours. */
    private static String redisNowMs(long later) {
        return Long.toString(System.currentTimeMillis() + later);
    }
}
