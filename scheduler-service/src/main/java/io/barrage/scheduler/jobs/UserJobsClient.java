package io.barrage.scheduler.jobs;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/** user-service's job endpoints; each answers {@code {"items": N}}. */
@FeignClient(name = "user-service", contextId = "userJobs")
interface UserJobsClient {

    @PostMapping("/internal/v1/jobs/{job}")
    JobResult run(@PathVariable("job") String job);
}
