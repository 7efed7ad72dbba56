package io.barrage.danmaku.report;

import io.barrage.danmaku.history.DanmakuRemoval;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.uploader.Protections;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The moderation team's queue; every call needs the service credential (checked for /internal/**). */
@RestController
@Tag(name = "internal", description = "Service-to-service; requires X-Service-Token")
class ModerationQueueController {

    static final int MAX_PAGE = 100;

    private final ReportMapper mapper;
    private final DanmakuRemoval danmaku;
    private final Protections protections;

    ModerationQueueController(ReportMapper mapper, DanmakuRemoval danmaku, Protections protections) {
        this.mapper = mapper;
        this.danmaku = danmaku;
        this.protections = protections;
    }

    /** {@code danmaku} is null once the danmaku is gone (deleted by its sender, the owner or moderation). */
    record Case(
            String danmakuId,
            long videoId,
            long reports,
            Map<String, Long> reasons,
            String status,
            boolean protectedByOwner,
            Instant firstReportedAt,
            Danmaku danmaku) {}

    record Queue(List<Case> items, int page, int size, long total) {}

    @Operation(
            summary =
                    "Reported danmaku, most reported first (status OPEN, RESOLVED or DELETED; page from 0, size 1–100)")
    @GetMapping("/internal/v1/moderation/reports")
    Queue queue(
            @RequestParam(name = "status", defaultValue = "OPEN") String status,
            @RequestParam(name = "page", defaultValue = "0") int page,
            @RequestParam(name = "size", defaultValue = "50") int size) {
        if (!List.of("OPEN", "RESOLVED", "DELETED").contains(status)) {
            throw ApiException.badRequest("invalid-request", "status must be OPEN, RESOLVED or DELETED.");
        }
        if (page < 0 || size < 1 || size > MAX_PAGE) {
            throw ApiException.badRequest("invalid-request", "Need page >= 0 and size 1–" + MAX_PAGE + ".");
        }
        List<Map<String, Object>> rows = mapper.queue(status, (long) page * size, size);
        return new Queue(cases(rows), page, size, mapper.queueSize(status));
    }

    @Operation(summary = "Dismiss the reports on a danmaku: it stays, the case leaves the queue")
    @PostMapping("/internal/v1/moderation/reports/{danmakuId}/resolve")
    Case resolve(@PathVariable("danmakuId") long danmakuId) {
        existing(danmakuId);
        mapper.close(danmakuId, "RESOLVED");
        return cases(List.of(existing(danmakuId))).getFirst();
    }

    @Operation(
            summary = "Delete a reported danmaku (off every screen); 409 danmaku-protected if its owner protected it")
    @PostMapping("/internal/v1/moderation/reports/{danmakuId}/delete")
    Case delete(@PathVariable("danmakuId") long danmakuId) {
        existing(danmakuId);
        if (protections.isProtected(danmakuId)) {
            throw Protections.refused();
        }
        Danmaku reported = find(danmakuId);
        if (reported != null) {
            danmaku.remove(reported);
        }
        mapper.close(danmakuId, "DELETED");
        return cases(List.of(existing(danmakuId))).getFirst();
    }

    private Map<String, Object> existing(long danmakuId) {
        Map<String, Object> row = mapper.caseOf(danmakuId);
        if (row == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "report-not-found", "Nobody reported this danmaku.");
        }
        return row;
    }

    private List<Case> cases(List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<Long, Map<String, Long>> reasons = new HashMap<>();
        List<Long> ids = rows.stream()
                .map(r -> ((Number) r.get("danmakuId")).longValue())
                .toList();
        for (Map<String, Object> r : mapper.reasons(ids)) {
            reasons.computeIfAbsent(((Number) r.get("danmakuId")).longValue(), k -> new TreeMap<>())
                    .put(r.get("reason").toString(), ((Number) r.get("n")).longValue());
        }
        List<Case> cases = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            long id = ((Number) r.get("danmakuId")).longValue();
            cases.add(new Case(
                    Long.toString(id),
                    ((Number) r.get("videoId")).longValue(),
                    ((Number) r.get("reports")).longValue(),
                    reasons.getOrDefault(id, Map.of()),
                    r.get("status").toString(),
                    protections.isProtected(id),
                    instant(r.get("firstReportedAt")),
                    find(id)));
        }
        return cases;
    }

    /** The danmaku, or null when it is gone. */
    private Danmaku find(long danmakuId) {
        try {
            return danmaku.find(danmakuId);
        } catch (ApiException e) {
            return null;
        }
    }

    private static Instant instant(Object value) {
        return value instanceof LocalDateTime t ? t.toInstant(ZoneOffset.UTC) : null;
    }
}
