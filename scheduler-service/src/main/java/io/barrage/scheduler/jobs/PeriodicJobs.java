package io.barrage.scheduler.jobs;

import io.barrage.scheduler.ReplicaProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The clock for other services' periodic work. Every replica ticks; a job runs on the replica whose
 * conditional UPDATE of the job's lease row wins, once per period (see {@link JobLeaseMapper#acquire}).
 * The database decides, not Redis: a lock in Redis can be lost on failover or outlive a paused holder,
 * and nothing would then stop a second run. A failed run (the owner is down) is counted and recorded,
 * and the job runs again next period.
 */
@Component
class PeriodicJobs {

    private static final Logger log = LoggerFactory.getLogger(PeriodicJobs.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    /** A job: its name (also the owner's endpoint), its period, and the call that runs it. */
    record Job(String name, Duration interval, Function<String, JobResult> owner) {}

    private final JobLeaseMapper leases;
    private final JobsProperties properties;
    private final List<Job> jobs;
    private final String instance;
    private final MeterRegistry meters;
    private final Set<String> ensured = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    @Autowired
    PeriodicJobs(
            JobLeaseMapper leases,
            JobsProperties properties,
            VideoJobsClient video,
            UserJobsClient user,
            MeterRegistry meters,
            ReplicaProperties replica) {
        this(leases, properties, jobs(properties, video, user), meters, replica.name());
    }

    /** Also how a test builds a second replica on the same database. */
    PeriodicJobs(
            JobLeaseMapper leases, JobsProperties properties, List<Job> jobs, MeterRegistry meters, String instance) {
        this.leases = leases;
        this.properties = properties;
        this.jobs = jobs;
        this.meters = meters;
        this.instance = instance;
        for (Job job : jobs) {
            AtomicLong when = new AtomicLong();
            lastSuccess.put(job.name(), when);
            Gauge.builder("barrage.scheduler.job.last.success", when, AtomicLong::get)
                    .description("When the job last completed a run, in seconds since the epoch")
                    .tag("job", job.name())
                    .register(meters);
        }
    }

    static List<Job> jobs(JobsProperties properties, VideoJobsClient video, UserJobsClient user) {
        return List.of(
                new Job("view-count-flush", properties.viewCountFlush(), video::run),
                new Job("hot-ranking-decay", properties.hotRankingDecay(), video::run),
                new Job("ranking-refresh", properties.rankingRefresh(), video::run),
                new Job("upload-cleanup", properties.uploadCleanup(), video::run),
                new Job("session-purge", properties.sessionPurge(), user::run));
    }

    List<Job> jobs() {
        return jobs;
    }

    @Scheduled(
            fixedDelayString = "${barrage.scheduler.jobs.tick}",
            initialDelayString = "${barrage.scheduler.jobs.tick}")
    void tick() {
        if (!properties.enabled()) {
            return;
        }
        for (Job job : jobs) {
            try {
                runIfDue(job);
            } catch (RuntimeException e) {
                // the database is unreachable: nobody can take a lease, so nobody runs; try next tick
                log.warn("could not check job {}: {}", job.name(), e.toString());
            }
        }
    }

    /** Runs the job if this replica wins this period's lease; true when it ran (successfully or not). */
    boolean runIfDue(Job job) {
        if (job.interval().isZero() || job.interval().isNegative()) {
            return false;
        }
        if (ensured.add(job.name())) {
            leases.ensure(job.name());
        }
        if (leases.acquire(job.name(), instance, job.interval().toNanos() / 1000) != 1) {
            return false;
        }
        long start = System.nanoTime();
        try {
            long items = job.owner().apply(job.name()).items();
            long elapsed = System.nanoTime() - start;
            leases.succeeded(job.name(), instance, elapsed / 1_000_000, items);
            timer(job).record(elapsed, TimeUnit.NANOSECONDS);
            Counter.builder("barrage.scheduler.job.items")
                    .description("Items the job handled")
                    .tag("job", job.name())
                    .register(meters)
                    .increment(items);
            lastSuccess.get(job.name()).set(System.currentTimeMillis() / 1000);
            log.debug("job {} handled {} items in {} ms", job.name(), items, elapsed / 1_000_000);
        } catch (RuntimeException e) {
            long elapsed = System.nanoTime() - start;
            timer(job).record(elapsed, TimeUnit.NANOSECONDS);
            Counter.builder("barrage.scheduler.job.failures")
                    .description("Runs of the job that failed (it runs again next period)")
                    .tag("job", job.name())
                    .register(meters)
                    .increment();
            String error = describe(e);
            leases.failed(
                    job.name(),
                    instance,
                    elapsed / 1_000_000,
                    error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error);
            log.warn("job {} failed; it runs again next period: {}", job.name(), error);
        }
        return true;
    }

    /** The failure and its root cause: the circuit breaker's wrapper alone says nothing. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? e.toString() : e.getClass().getSimpleName() + ": " + root;
    }

    private Timer timer(Job job) {
        return Timer.builder("barrage.scheduler.job.duration")
                .description("How long a run of the job took")
                .tag("job", job.name())
                .register(meters);
    }
}
