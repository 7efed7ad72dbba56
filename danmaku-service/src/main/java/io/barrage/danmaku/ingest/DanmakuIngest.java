package io.barrage.danmaku.ingest;

import io.barrage.danmaku.video.VideoCatalog;
import io.barrage.danmaku.video.VideoInfo;
import io.barrage.danmaku.web.ApiException;
import io.barrage.danmaku.web.RequestIdFilter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a valid request into a stored event. The seq INCR, the send and the wait for the broker's ack all
 * happen under a per-video lock, so within this instance a video's partition receives its events in seq
 * order (first cut; see docs/architecture.md, "Danmaku sequence numbers").
 */
@Service
class DanmakuIngest {

    static final String TOPIC = "danmaku.events";
    private static final Logger log = LoggerFactory.getLogger(DanmakuIngest.class);
    private static final int STRIPES = 1024;
    /** Longer than the producer's delivery.timeout.ms, so the producer's own verdict normally arrives first. */
    private static final long ACK_WAIT_MS = 12_000;

    private final VideoCatalog videos;
    private final SnowflakeIds ids;
    private final StringRedisTemplate redis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];

    DanmakuIngest(
            VideoCatalog videos,
            SnowflakeIds ids,
            StringRedisTemplate redis,
            KafkaTemplate<String, String> kafka,
            JsonMapper json) {
        this.videos = videos;
        this.ids = ids;
        this.redis = redis;
        this.kafka = kafka;
        this.json = json;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    Danmaku create(long videoId, long senderId, CreateDanmakuRequest request) {
        DanmakuRules.Checked checked = DanmakuRules.check(request);
        VideoInfo video = videos.readyVideo(videoId);
        DanmakuRules.checkPlayback(checked.playbackMs(), video.durationMs());

        ReentrantLock lock = locks[Math.floorMod(Long.hashCode(videoId), STRIPES)];
        lock.lock();
        try {
            long seq = nextSeq(videoId);
            Danmaku danmaku = new Danmaku(
                    Long.toString(ids.next()),
                    videoId,
                    seq,
                    senderId,
                    checked.text(),
                    checked.playbackMs(),
                    checked.mode(),
                    checked.color(),
                    checked.size(),
                    Instant.now().truncatedTo(ChronoUnit.MILLIS));
            publish(danmaku);
            return danmaku;
        } finally {
            lock.unlock();
        }
    }

    private long nextSeq(long videoId) {
        try {
            Long seq = redis.opsForValue().increment("danmaku:seq:" + videoId);
            if (seq == null) {
                throw new IllegalStateException("INCR returned nothing");
            }
            return seq;
        } catch (DataAccessException | IllegalStateException e) {
            log.warn("no seq for video {}: {}", videoId, e.toString());
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE, "sequence-unavailable", "Danmaku cannot be sent right now.");
        }
    }

    /** Returns only once the broker has the event (acks=all); anything else is a 503, never a 201. */
    private void publish(Danmaku danmaku) {
        ProducerRecord<String, String> record = new ProducerRecord<>(
                TOPIC, Long.toString(danmaku.videoId()), json.writeValueAsString(DanmakuCreated.of(danmaku)));
        String requestId = MDC.get(RequestIdFilter.MDC_KEY);
        if (requestId != null) {
            record.headers().add(RequestIdFilter.HEADER, requestId.getBytes(StandardCharsets.UTF_8));
        }
        try {
            kafka.send(record).get(ACK_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw brokerUnavailable(danmaku, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            throw brokerUnavailable(danmaku, e);
        }
    }

    private static ApiException brokerUnavailable(Danmaku danmaku, Exception e) {
        log.warn("danmaku seq {} of video {} not acknowledged: {}", danmaku.seq(), danmaku.videoId(), e.toString());
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE, "broker-unavailable", "Danmaku cannot be stored right now.");
    }
}
