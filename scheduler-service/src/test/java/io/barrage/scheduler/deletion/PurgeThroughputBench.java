package io.barrage.scheduler.deletion;

import io.barrage.infra.Infra;
import io.barrage.scheduler.ReplicaContext;
import io.barrage.scheduler.ReplicaProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Purge throughput, one replica against two, over the real MariaDB and S3 store: each video has two
 * objects (1 MiB original, 20 KiB thumbnail) and 1,000 danmaku. danmaku-service and video-service are
 * the recording stand-in, which answers at once, so the figure is the scheduler's own pipeline (claims,
 * step commits and audit rows in MariaDB, S3 list and deletes, five HTTP calls per video), not
 * danmaku-service's cost of deleting 1,000 rows. Not a test: deploy/bench/purge-throughput runs it.
 */
class PurgeThroughputBench extends ReplicaContext {

    @DynamicPropertySource
    static void production(DynamicPropertyRegistry registry) {
        registry.add("barrage.scheduler.batch-size", () -> "20");
        registry.add("barrage.scheduler.claim-lease", () -> "5m");
    }

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    VideoDeletionMapper deletions;

    @Autowired
    DeletionAuditMapper audit;

    @Autowired
    DeletionLedger ledger;

    @Autowired
    ObjectRemover objects;

    @Autowired
    VideoServiceClient videoService;

    @Autowired
    DanmakuServiceClient danmakuService;

    @Autowired
    SchedulerProperties properties;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    MeterRegistry meters;

    private final MinioClient s3 = MinioClient.builder()
            .endpoint(INFRA.s3Endpoint())
            .credentials(INFRA.s3AccessKey(), INFRA.s3SecretKey())
            .build();
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 10);

    @Test
    void purgeThroughput() throws Exception {
        int videos = Integer.getInteger("bench.videos", 200);
        jdbc.update("UPDATE video_deletion SET status = 'CANCELLED' WHERE status = 'PENDING'");
        // warm-up: first Feign calls, JIT, connection pools
        run(1, 20, false);
        double one = run(1, videos, true);
        double two = run(2, videos, true);
        System.out.printf(
                Locale.ROOT,
                "purge-throughput: cores=%d videos=%d one-replica=%.0f/min two-replicas=%.0f/min ratio=%.2f%n",
                Runtime.getRuntime().availableProcessors(),
                videos,
                one,
                two,
                two / one);
    }

    private double run(int replicas, int videos, boolean print) throws Exception {
        List<Long> ids = new ArrayList<>();
        byte[] original = new byte[1 << 20];
        byte[] thumb = new byte[20 << 10];
        for (int i = 0; i < videos; i++) {
            long id = IDS.incrementAndGet();
            put("videos/" + id + "/original", original);
            put("videos/" + id + "/thumb.jpg", thumb);
            SERVICES.status(id, "DELETED");
            SERVICES.danmaku(id, 1000);
            // deleted a grace period ago: due now
            ledger.videoDeleted(
                    id, 5, null, "videos/" + id + "/original", Instant.now().minus(properties.gracePeriod()));
            ids.add(id);
        }
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        long start = System.nanoTime();
        List<Future<?>> runs = new ArrayList<>();
        for (int r = 0; r < replicas; r++) {
            DeletionPurger replica = new DeletionPurger(
                    deletions,
                    audit,
                    objects,
                    videoService,
                    danmakuService,
                    properties,
                    new ReplicaProperties("bench-" + replicas + "-" + r),
                    transactions,
                    meters);
            runs.add(pool.submit(() -> {
                while (replica.purgeDueBatch() > 0) {
                    // drain
                }
                return null;
            }));
        }
        for (Future<?> run : runs) {
            run.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long done = jdbc.queryForObject(
                "SELECT COUNT(*) FROM video_deletion WHERE status = 'DONE' AND video_id BETWEEN ? AND ?",
                Long.class,
                ids.getFirst(),
                ids.getLast());
        if (done != videos) {
            throw new AssertionError("only " + done + " of " + videos + " purged");
        }
        double perMinute = videos / seconds * 60;
        if (print) {
            System.out.printf(
                    Locale.ROOT,
                    "purge-throughput: replicas=%d videos=%d seconds=%.2f videos/min=%.0f%n",
                    replicas,
                    videos,
                    seconds,
                    perMinute);
        }
        return perMinute;
    }

    private void put(String key, byte[] bytes) throws Exception {
        s3.putObject(PutObjectArgs.builder().bucket(Infra.BUCKET).object(key).stream(
                        new ByteArrayInputStream(bytes), bytes.length, -1)
                .build());
    }
}
