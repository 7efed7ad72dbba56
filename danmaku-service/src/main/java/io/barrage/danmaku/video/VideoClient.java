package io.barrage.danmaku.video;

import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

@FeignClient(name = "video-service")
interface VideoClient {

    @GetMapping("/internal/v1/videos/{id}")
    VideoInfo video(@PathVariable("id") long id);
}
