package io.barrage.video.transcode;

import io.barrage.video.catalog.Renditions;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.storage.ObjectStore;
import io.barrage.video.upload.VideoUploadProperties;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker role ({@code barrage.video.transcode.worker-enabled}): consumes {@code video.transcode-jobs}
 * in the consumer group {@code video-transcoder}, one record per poll, running the job on the listener
 * thread, so the offset is committed only after the job ended (the poll interval is raised to an hour to
 * allow for long jobs). A job whose worker dies is not left to Kafka's redelivery alone: the row's lease
 * runs out and the sweep of any worker claims it, as it does the retries that are due.
 */
@Component
@ConditionalOnProperty(prefix = "barrage.video.transcode", name = "worker-enabled", havingValue = "true")
class TranscodeConsumer {

    private static final Logger log = LoggerFactory.getLogger(TranscodeConsumer.class);

    private final TranscodeWorker worker;
    private final ScheduledExecutorService sweeper;

    TranscodeConsumer(
            TranscodeJobs jobs,
            VideoMapper videos,
            Renditions renditions,
            ObjectStore store,
            JdbcTemplate jdbc,
            JsonMapper json,
            TranscodeProperties properties,
            VideoUploadProperties tools) {
        this.worker = new TranscodeWorker(jobs, videos, renditions, store, jdbc, json, properties, tools);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "transcode-sweep");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(200, properties.sweepInterval().toMillis());
        sweeper.scheduleWithFixedDelay(worker::sweep, every, every, TimeUnit.MILLISECONDS);
        log.info("transcode worker {} started", worker.name());
    }

    @KafkaListener(
            topics = TranscodeJobs.TOPIC,
            groupId = TranscodeJobs.GROUP,
            properties = {"max.poll.records=1", "max.poll.interval.ms=3600000", "auto.offset.reset=earliest"})
    void onJob(ConsumerRecord<String, String> record) {
        long videoId;
        try {
            videoId = Long.parseLong(record.key());
        } catch (NumberFormatException | NullPointerException e) {
            log.warn("ignoring a transcode job with key {}", record.key());
            return;
        }
        worker.run(videoId, true);
    }

    /** For tests that play a worker dying: its name, to hand its lease over. */
    String workerName() {
        return worker.name();
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
    }
}
