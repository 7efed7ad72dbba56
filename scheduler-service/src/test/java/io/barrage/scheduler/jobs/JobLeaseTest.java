package io.barrage.scheduler.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.scheduler.ReplicaContext;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Job leases in the real database: however many replicas tick, each period of a job runs once. */
class JobLeaseTest extends ReplicaContext {

    @Autowired
    JobLeaseMapper leases;

    @Autowired
    JobsProperties properties;

    @Autowired
    MeterRegistry meters;

    @Autowired
    PeriodicJobs contextJobs;

    @Autowired
    JdbcTemplate jdbc;

    private PeriodicJobs replica(String name, PeriodicJobs.Job job) {
        return new PeriodicJobs(leases, properties, List.of(job), meters, name);
    }

    @Test
    void replicasTickingAtOnceRunEachPeriodOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        PeriodicJobs.Job job = new PeriodicJobs.Job("test-" + UUID.randomUUID(), Duration.ofHours(1), name -> {
            runs.incrementAndGet();
            return new JobResult(7);
        });
        List<PeriodicJobs> replicas = List.of(replica("a", job), replica("b", job), replica("c", job));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> ticks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            PeriodicJobs replica = replicas.get(i % 3);
            Callable<Boolean> tick = () -> {
                start.await();
                return replica.runIfDue(job);
            };
            ticks.add(pool.submit(tick));
        }
        start.countDown();
        int ran = 0;
        for (Future<Boolean> tick : ticks) {
            ran += tick.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(ran).isEqualTo(1);
        assertThat(runs).hasValue(1);
        // the period is not over: nobody runs it again
        for (PeriodicJobs replica : replicas) {
            assertThat(replica.runIfDue(job)).isFalse();
        }
        assertThat(runs).hasValue(1);
        Map<String, Object> lease = jdbc.queryForMap("SELECT * FROM job_lease WHERE name = ?", job.name());
        assertThat(lease.get("last_items")).isEqualTo(7L);
        assertThat(lease.get("last_success_at")).isNotNull();
        assertThat(lease.get("holder")).isIn("a", "b", "c");
    }

    @Test
    void withAShortPeriodEachPeriodRunsOnceAcrossReplicas() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        PeriodicJobs.Job job = new PeriodicJobs.Job("test-" + UUID.randomUUID(), Duration.ofSeconds(1), name -> {
            runs.incrementAndGet();
            return new JobResult(1);
        });
        PeriodicJobs a = replica("a", job);
        PeriodicJobs b = replica("b", job);
        long started = System.nanoTime();
        while (System.nanoTime() - started < Duration.ofMillis(3500).toNanos()) {
            a.runIfDue(job);
            b.runIfDue(job);
            Thread.sleep(50);
        }
        // runs are at least a period apart: at most 4 in 3.5 s, however often the two replicas tick
        assertThat(runs.get()).isBetween(2, 4);
    }

    @Test
    void aJobWhoseOwnerIsDownFailsIsCountedAndRunsNextPeriod() {
        String name = "test-" + UUID.randomUUID();
        PeriodicJobs.Job job = new PeriodicJobs.Job(name, Duration.ofHours(1), n -> {
            throw new IllegalStateException("owner down");
        });
        PeriodicJobs replica = replica("a", job);
        assertThat(replica.runIfDue(job)).isTrue();
        assertThat(meters.counter("barrage.scheduler.job.failures", "job", name).count())
                .isEqualTo(1);
        Map<String, Object> lease = jdbc.queryForMap("SELECT * FROM job_lease WHERE name = ?", name);
        assertThat((String) lease.get("last_error")).contains("owner down");
        assertThat(lease.get("last_success_at")).isNull();
        // not retried in a loop: the next period runs it
        assertThat(replica.runIfDue(job)).isFalse();
        jdbc.update("UPDATE job_lease SET lease_until = UTC_TIMESTAMP(3) WHERE name = ?", name);
        assertThat(replica.runIfDue(job)).isTrue();
        assertThat(meters.counter("barrage.scheduler.job.failures", "job", name).count())
                .isEqualTo(2);
    }

    @Test
    void theRealJobsCallTheOwnersEndpointsWithTheServiceCredential() throws Exception {
        SERVICES.jobsDown(false);
        for (PeriodicJobs.Job job : contextJobs.jobs()) {
            // this context's replica does not tick; give each real job a fresh period and run it once
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (SERVICES.calls("JOB " + job.name()) == 0 || lastItems(job.name()) == null) {
                assertThat(System.nanoTime())
                        .as("%s did not succeed within 30 s", job.name())
                        .isLessThan(deadline);
                jdbc.update("UPDATE job_lease SET lease_until = UTC_TIMESTAMP(3) WHERE name = ?", job.name());
                contextJobs.runIfDue(job);
                Thread.sleep(100);
            }
        }
        assertThat(SERVICES.calls).doesNotContain("UNAUTHENTICATED");
        assertThat(jdbc.queryForList(
                        "SELECT last_items FROM job_lease WHERE name IN ('view-count-flush', 'hot-ranking-decay',"
                                + " 'ranking-refresh', 'upload-cleanup', 'session-purge')",
                        Long.class))
                .containsOnly(3L)
                .hasSize(5);
    }

    private Long lastItems(String name) {
        List<Long> items = jdbc.queryForList("SELECT last_items FROM job_lease WHERE name = ?", Long.class, name);
        return items.isEmpty() ? null : items.getFirst();
    }
}
