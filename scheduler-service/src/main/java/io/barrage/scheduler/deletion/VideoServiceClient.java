package io.barrage.scheduler.deletion;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** video-service's internal API; the service credential and request id are added by {@link FeignConfig}. */
@FeignClient(name = "video-service", contextId = "videoService")
interface VideoServiceClient {

    record VideoState(long id, long ownerId, long durationMs, String status) {}

    /** 404 when the row is gone. */
    @GetMapping("/internal/v1/videos/{id}")
    VideoState video(@PathVariable("id") long id);

    /** 204 also when already gone; 409 when the video is live again. */
    @DeleteMapping("/internal/v1/videos/{id}")
    void purge(@PathVariable("id") long id);
}
