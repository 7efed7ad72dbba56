package io.barrage.danmaku.report;

import io.barrage.danmaku.history.DanmakuRemoval;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class ReportController {

    private final DanmakuRemoval danmaku;
    private final ReportMapper mapper;
    private final ReportLimiter limiter;
    private final TransactionTemplate tx;

    ReportController(DanmakuRemoval danmaku, ReportMapper mapper, ReportLimiter limiter, TransactionTemplate tx) {
        this.danmaku = danmaku;
        this.mapper = mapper;
        this.limiter = limiter;
        this.tx = tx;
    }

    record NewReport(String reason) {}

    record Reported(String danmakuId, String reason, boolean alreadyReported) {}

    /** 201 for a new report, 200 when this user had already reported it (nothing counted twice). */
    @Operation(summary = "Report a danmaku with a reason: spam, abuse, spoiler, off-topic or other")
    @PostMapping("/api/v1/danmaku/{id}/reports")
    ResponseEntity<Reported> report(CurrentUser user, @PathVariable("id") long danmakuId, @RequestBody NewReport body) {
        if (body == null || body.reason() == null) {
            throw ApiException.badRequest("invalid-reason", "reason is required.");
        }
        Reason reason = Reason.parse(body.reason());
        Danmaku reported = danmaku.find(danmakuId);
        limiter.take(user.id());
        Boolean fresh = tx.execute(status -> {
            if (mapper.insert(danmakuId, user.id(), reason.wire()) == 0) {
                return false;
            }
            mapper.countCase(danmakuId, reported.videoId());
            return true;
        });
        boolean isNew = Boolean.TRUE.equals(fresh);
        return ResponseEntity.status(isNew ? HttpStatus.CREATED : HttpStatus.OK)
                .body(new Reported(reported.id(), reason.wire(), !isNew));
    }
}
