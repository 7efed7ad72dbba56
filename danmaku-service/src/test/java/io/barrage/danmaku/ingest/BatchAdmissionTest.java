package io.barrage.danmaku.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.danmaku.DanmakuTestBase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The sequencer checks a whole batch's rate limits in one script call; each request must get the answer it
 * would have got alone, in order (the default limits: a burst of 5 per user, 400 per video).
 */
class BatchAdmissionTest extends DanmakuTestBase {

    @Autowired
    AbuseGuard guard;

    @Autowired
    StringRedisTemplate redis;

    @Test
    void aBatchIsJudgedInOrderAsIfEachRequestCameAlone() {
        long video = 97;
        List<AbuseGuard.TooManyRequests> verdicts =
                guard.admitAll(video, new long[] {9701, 9701, 9701, 9701, 9701, 9701, 9702});
        // The repeated sender has his burst of five; the sixth is cooled down, the other sender is not.
        assertThat(verdicts.subList(0, 5)).containsOnlyNulls();
        assertThat(verdicts.get(5).code()).isEqualTo("cooldown");
        assertThat(verdicts.get(5).retryAfterSeconds()).isBetween(1L, 2L);
        assertThat(verdicts.get(6)).isNull();
        assertThat(Double.parseDouble((String) redis.opsForHash().get(AbuseGuard.userKey(9701), "tokens")))
                .isLessThan(1);
    }

    @Test
    void whenTheVideoRunsDryMidBatchTheRestAreRefusedAndKeepTheirOwnTokens() {
        long video = 98;
        // One and a half tokens left, and no refill before the batch (its time stamp is in the future).
        redis.opsForHash()
                .putAll(
                        AbuseGuard.videoKey(video),
                        Map.of("tokens", "1.5", "ts", Long.toString(System.currentTimeMillis() + 60_000)));
        List<AbuseGuard.TooManyRequests> verdicts = guard.admitAll(video, new long[] {9801, 9802, 9803});
        assertThat(verdicts.get(0)).isNull();
        assertThat(verdicts.get(1).code()).isEqualTo("rate-limited");
        assertThat(verdicts.get(2).code()).isEqualTo("rate-limited");
        assertThat(redis.opsForHash().get(AbuseGuard.userKey(9801), "tokens")).isEqualTo("4");
        assertThat(redis.opsForHash().get(AbuseGuard.userKey(9802), "tokens")).isNull();
        assertThat(redis.opsForHash().get(AbuseGuard.userKey(9803), "tokens")).isNull();
    }
}
