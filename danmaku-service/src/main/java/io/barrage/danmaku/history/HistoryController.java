package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class HistoryController {

    static final int MAX_LIMIT = 5000;

    private final HistoryCache history;
    private final DanmakuRemoval removal;
    private final VideoDirectory videos;

    HistoryController(HistoryCache history, DanmakuRemoval removal, VideoDirectory videos) {
        this.history = history;
        this.removal = removal;
        this.videos = videos;
    }

    record History(List<Danmaku> items) {}

    /**
     * By playback window ({@code fromMs}, {@code toMs}, inclusive) or by 6-minute segment ({@code segment=N}:
     * [N × 360000, (N + 1) × 360000)), ordered by playback time then seq, at most {@code limit} items
     * (default 1000 for a window, 5000 for a segment). A video that is not READY (unknown, deleted) is 404
     * {@code video-not-found}, as the video itself is.
     */
    @GetMapping("/api/v1/videos/{id}/danmaku")
    History window(
            @PathVariable("id") long videoId,
            @RequestParam(name = "segment", required = false) Integer segment,
            @RequestParam(name = "fromMs", defaultValue = "0") long fromMs,
            @RequestParam(name = "toMs", defaultValue = "" + Long.MAX_VALUE) long toMs,
            @RequestParam(name = "limit", required = false) Integer limit) {
        int max = limit == null ? (segment == null ? 1000 : MAX_LIMIT) : limit;
        if (max < 1 || max > MAX_LIMIT) {
            throw ApiException.badRequest("invalid-request", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
        if (segment != null) {
            if (segment < 0) {
                throw ApiException.badRequest("invalid-request", "segment must be 0 or more.");
            }
            videos.checkReadable(videoId);
            List<Danmaku> items = history.segment(videoId, segment);
            return new History(items.size() > max ? items.subList(0, max) : items);
        }
        if (fromMs < 0 || toMs < fromMs) {
            throw ApiException.badRequest("invalid-request", "Need 0 <= fromMs <= toMs.");
        }
        videos.checkReadable(videoId);
        return new History(history.window(videoId, fromMs, toMs, max));
    }

    /** By its sender or the video's owner; anyone else gets 404 {@code danmaku-not-found}. */
    @DeleteMapping("/api/v1/danmaku/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void delete(CurrentUser user, @PathVariable("id") long danmakuId) {
        removal.deleteAs(user.id(), danmakuId);
    }
}
