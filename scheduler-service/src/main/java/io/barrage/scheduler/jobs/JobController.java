package io.barrage.scheduler.jobs;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /internal/v1/jobs}: each job's lease and last run, as every replica sees it. */
@RestController
class JobController {

    record JobState(
            String name,
            String holder,
            Instant nextRunAfter,
            Instant lastStartedAt,
            Instant lastSuccessAt,
            Long lastDurationMs,
            Long lastItems,
            String lastError) {}

    record JobList(List<JobState> items) {}

    private final JobLeaseMapper leases;

    JobController(JobLeaseMapper leases) {
        this.leases = leases;
    }

    @GetMapping("/internal/v1/jobs")
    JobList list() {
        return new JobList(leases.all().stream()
                .map(l -> new JobState(
                        l.getName(),
                        l.getHolder(),
                        utc(l.getLeaseUntil()),
                        utc(l.getLastStartedAt()),
                        utc(l.getLastSuccessAt()),
                        l.getLastDurationMs(),
                        l.getLastItems(),
                        l.getLastError()))
                .toList());
    }

    private static Instant utc(LocalDateTime time) {
        return time == null ? null : time.toInstant(ZoneOffset.UTC);
    }
}
