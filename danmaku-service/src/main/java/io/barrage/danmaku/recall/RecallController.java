package io.barrage.danmaku.recall;

import io.barrage.danmaku.history.DanmakuRemoval;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.uploader.Protections;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RecallController {

    private final DanmakuRemoval danmaku;
    private final Protections protections;
    private final RecallQuota quota;
    private final RecallProperties properties;

    RecallController(DanmakuRemoval danmaku, Protections protections, RecallQuota quota, RecallProperties properties) {
        this.danmaku = danmaku;
        this.protections = protections;
        this.quota = quota;
        this.properties = properties;
    }

    record Recalled(String danmakuId, int recallsLeftToday) {}

    /**
     * The sender only (anyone else: 404, as for DELETE); within the window (else 403 {@code
     * recall-window-passed}); not a danmaku the owner protected (409 {@code danmaku-protected}); within the
     * daily quota (else 429 {@code recall-limit-reached} with Retry-After until midnight UTC).
     */
    @Operation(summary = "Recall your own danmaku within 2 minutes of sending it, at most 3 times a day")
    @PostMapping("/api/v1/danmaku/{id}/recall")
    Recalled recall(CurrentUser user, @PathVariable("id") long danmakuId) {
        Danmaku d = danmaku.find(danmakuId);
        if (d.senderId() != user.id()) {
            throw new ApiException(HttpStatus.NOT_FOUND, "danmaku-not-found", "No such danmaku.");
        }
        if (d.createdAt().plus(properties.window()).isBefore(Instant.now())) {
            throw new ApiException(
                    HttpStatus.FORBIDDEN,
                    "recall-window-passed",
                    "A danmaku can only be recalled within "
                            + properties.window().toSeconds() + " s of sending it.");
        }
        if (protections.isProtected(danmakuId)) {
            throw Protections.refused();
        }
        int left = quota.take(user.id());
        try {
            danmaku.remove(d);
        } catch (RuntimeException e) {
            quota.giveBack(user.id());
            throw e;
        }
        return new Recalled(d.id(), left);
    }
}
