package io.barrage.danmaku.like;

import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.identity.TrustedIdentity;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class LikeController {

    private final LikeLedger ledger;
    private final LikeFlusher flusher;
    private final VideoDirectory videos;
    private final TrustedIdentity identity;

    LikeController(LikeLedger ledger, LikeFlusher flusher, VideoDirectory videos, TrustedIdentity identity) {
        this.ledger = ledger;
        this.flusher = flusher;
        this.videos = videos;
        this.identity = identity;
    }

    @Operation(summary = "Like a danmaku; a second like by the same user changes nothing and answers the same")
    @PutMapping("/api/v1/videos/{videoId}/danmaku/{id}/like")
    LikeLedger.Liked like(CurrentUser user, @PathVariable("videoId") long videoId, @PathVariable("id") long id) {
        videos.checkReadable(videoId);
        return ledger.like(videoId, id, user.id());
    }

    @Operation(summary = "A video's like counts (the most liked first) and, signed in, which ones you liked")
    @GetMapping("/api/v1/videos/{videoId}/danmaku/likes")
    LikeLedger.Counts counts(@PathVariable("videoId") long videoId, HttpServletRequest request) {
        videos.checkReadable(videoId);
        long user = identity.user(request).map(CurrentUser::id).orElse(0L);
        return ledger.counts(videoId, user);
    }

    record Flushed(long added) {}

    @Operation(summary = "Flush pending likes to MariaDB now (they are flushed every flush-interval anyway)")
    @Tag(name = "internal", description = "Service-to-service; requires X-Service-Token")
    @PostMapping("/internal/v1/likes/flush")
    Flushed flush() {
        return new Flushed(flusher.flush());
    }

    @Configuration
    @EnableScheduling
    static class Scheduling {}
}
