package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** For other teams (moderation, the scheduler's purge); every call needs the service credential. */
@RestController
@Tag(name = "internal", description = "Service-to-service; requires X-Service-Token")
class ModerationController {

    private final DanmakuMapper mapper;
    private final DanmakuRemoval removal;

    ModerationController(DanmakuMapper mapper, DanmakuRemoval removal) {
        this.mapper = mapper;
        this.removal = removal;
    }

    record Page(List<Danmaku> items, int page, int size, long total) {}

    record Deleted(long deleted) {}

    record Counts(Map<String, Long> counts) {}

    @Operation(summary = "A user's danmaku, newest first (page from 0, size 1–500)")
    @GetMapping("/internal/v1/users/{userId}/danmaku")
    Page byUser(
            @PathVariable("userId") long userId,
            @RequestParam(name = "page", defaultValue = "0") int page,
            @RequestParam(name = "size", defaultValue = "100") int size) {
        if (page < 0 || size < 1 || size > DanmakuRemoval.BATCH) {
            throw ApiException.badRequest("invalid-request", "Need page >= 0 and size 1–" + DanmakuRemoval.BATCH + ".");
        }
        List<Danmaku> items = mapper.bySender(userId, (long) page * size, size).stream()
                .map(DanmakuRow::toDanmaku)
                .toList();
        return new Page(items, page, size, mapper.countBySender(userId));
    }

    @Operation(summary = "Delete every danmaku of a user (a ban); publishes a DanmakuDeleted for each")
    @DeleteMapping("/internal/v1/users/{userId}/danmaku")
    Deleted deleteByUser(@PathVariable("userId") long userId) {
        return new Deleted(removal.deleteBySender(userId));
    }

    @Operation(summary = "Purge a deleted video's danmaku, at most `batch` (1–5000) per call; call until deleted is 0")
    @DeleteMapping("/internal/v1/videos/{videoId}/danmaku")
    Deleted purgeVideo(
            @PathVariable("videoId") long videoId, @RequestParam(name = "batch", defaultValue = "1000") int batch) {
        if (batch < 1 || batch > 5000) {
            throw ApiException.badRequest("invalid-request", "batch must be between 1 and 5000.");
        }
        return new Deleted(removal.purgeVideo(videoId, batch));
    }

    @Operation(summary = "How many danmaku each video has (1–100 comma-separated ids); unknown ids count 0")
    @GetMapping("/internal/v1/danmaku/counts")
    Counts counts(@RequestParam("videoIds") List<Long> videoIds) {
        TreeSet<Long> ids = new TreeSet<>(videoIds);
        if (ids.isEmpty() || ids.size() > 100) {
            throw ApiException.badRequest("invalid-request", "Give 1–100 video ids.");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        ids.forEach(id -> counts.put(Long.toString(id), 0L));
        for (Map<String, Object> row : mapper.countsByVideo(ids)) {
            counts.put(row.get("videoId").toString(), ((Number) row.get("n")).longValue());
        }
        return new Counts(counts);
    }
}
