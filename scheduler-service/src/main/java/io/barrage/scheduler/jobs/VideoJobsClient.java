package io.barrage.scheduler.jobs;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;

/** video-service's job endpoints; each is safe to call concurrently and answers {@code {"items": N}}. */
@FeignClient(name = "video-service", contextId = "videoJobs")
interface VideoJobsClient {

    @PostMapping("/internal/v1/jobs/{job}")
    JobResult run(@PathVariable("job") String job);
}
