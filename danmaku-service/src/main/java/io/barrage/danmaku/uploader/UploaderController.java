package io.barrage.danmaku.uploader;

import io.barrage.danmaku.history.DanmakuRemoval;
import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.identity.TrustedIdentity;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class UploaderController {

    private final ClosedVideos closedVideos;
    private final Protections protections;
    private final DanmakuRemoval removal;
    private final VideoDirectory videos;
    private final TrustedIdentity identity;

    UploaderController(
            ClosedVideos closedVideos,
            Protections protections,
            DanmakuRemoval removal,
            VideoDirectory videos,
            TrustedIdentity identity) {
        this.closedVideos = closedVideos;
        this.protections = protections;
        this.removal = removal;
        this.videos = videos;
        this.identity = identity;
    }

    /** {@code protectedIds} only for the video's owner (empty for everyone else). */
    record State(long videoId, boolean closed, List<String> protectedIds) {}

    record StateChange(Boolean closed) {}

    @Operation(summary = "Whether the video takes new danmaku; its owner also gets the protected danmaku")
    @GetMapping("/api/v1/videos/{id}/danmaku/state")
    State state(@PathVariable("id") long videoId, HttpServletRequest request) {
        videos.checkReadable(videoId);
        boolean owner =
                identity.user(request).map(user -> isOwner(user.id(), videoId)).orElse(false);
        return state(videoId, owner);
    }

    @Operation(summary = "Owner: close the video to new danmaku ({\"closed\":true}) or open it again")
    @PutMapping("/api/v1/videos/{id}/danmaku/state")
    State change(CurrentUser user, @PathVariable("id") long videoId, @RequestBody StateChange change) {
        if (change == null || change.closed() == null) {
            throw ApiException.badRequest("invalid-request", "Send {\"closed\": true} or {\"closed\": false}.");
        }
        if (!isOwner(user.id(), videoId)) {
            throw new ApiException(HttpStatus.FORBIDDEN, "not-video-owner", "Only the video's owner can do this.");
        }
        closedVideos.set(videoId, change.closed());
        return state(videoId, true);
    }

    @Operation(summary = "Owner: protect a danmaku from recall, its sender's delete and report-driven removal")
    @PutMapping("/api/v1/danmaku/{id}/protection")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void protect(CurrentUser user, @PathVariable("id") long danmakuId) {
        Danmaku danmaku = owned(user, danmakuId);
        protections.protect(danmakuId, danmaku.videoId());
    }

    @Operation(summary = "Owner: lift a danmaku's protection")
    @DeleteMapping("/api/v1/danmaku/{id}/protection")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unprotect(CurrentUser user, @PathVariable("id") long danmakuId) {
        owned(user, danmakuId);
        protections.unprotect(danmakuId);
    }

    /** A danmaku on one of the user's videos; anyone else is told it does not exist, as DELETE does. */
    private Danmaku owned(CurrentUser user, long danmakuId) {
        Danmaku danmaku = removal.find(danmakuId);
        if (!isOwner(user.id(), danmaku.videoId())) {
            throw new ApiException(HttpStatus.NOT_FOUND, "danmaku-not-found", "No such danmaku.");
        }
        return danmaku;
    }

    private boolean isOwner(long userId, long videoId) {
        return videos.find(videoId).map(v -> v.ownerId() == userId).orElse(false);
    }

    private State state(long videoId, boolean owner) {
        List<String> ids =
                owner ? protections.of(videoId).stream().map(String::valueOf).toList() : List.of();
        return new State(videoId, closedVideos.closed(videoId), ids);
    }
}
