package io.barrage.push.history;

import java.util.List;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;

@FeignClient(name = "danmaku-service")
interface DanmakuHistoryClient {

    /** danmaku-service's answer: see its ResumeController. */
    record Since(long videoId, List<JsonNode> items, boolean more, long persistedSeq, long publishedSeq) {}

    @GetMapping("/internal/v1/videos/{id}/danmaku/since")
    Since since(@PathVariable("id") long videoId, @RequestParam("seq") long seq, @RequestParam("limit") int limit);
}
