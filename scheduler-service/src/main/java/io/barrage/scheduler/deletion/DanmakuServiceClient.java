package io.barrage.scheduler.deletion;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/** danmaku-service's internal API; the service credential and request id are added by {@link FeignConfig}. */
@FeignClient(name = "danmaku-service", contextId = "danmakuService")
interface DanmakuServiceClient {

    record Deleted(long deleted) {}

    /**
     * Deletes at most {@code batch} of the video's danmaku (and drops danmaku-service's caches of it);
     * call until {@code deleted} is 0. Purging a video with none left answers 0, so it is idempotent.
     */
    @DeleteMapping("/internal/v1/videos/{videoId}/danmaku")
    Deleted purgeVideo(@PathVariable("videoId") long videoId, @RequestParam("batch") int batch);
}
