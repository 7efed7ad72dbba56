package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.web.ApiException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class HistoryController {

    static final int MAX_LIMIT = 5000;

    private final DanmakuMapper mapper;

    HistoryController(DanmakuMapper mapper) {
        this.mapper = mapper;
    }

    record History(List<Danmaku> items) {}

    @GetMapping("/api/v1/videos/{id}/danmaku")
    History window(
            @PathVariable("id") long videoId,
            @RequestParam(name = "fromMs", defaultValue = "0") long fromMs,
            @RequestParam(name = "toMs", defaultValue = "" + Long.MAX_VALUE) long toMs,
            @RequestParam(name = "limit", defaultValue = "1000") int limit) {
        if (fromMs < 0 || toMs < fromMs) {
            throw ApiException.badRequest("invalid-request", "Need 0 <= fromMs <= toMs.");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("invalid-request", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        return new History(mapper.window(videoId, fromMs, toMs, limit).stream()
                .map(DanmakuRow::toDanmaku)
                .toList());
    }
}
