package io.barrage.danmaku.history;

import io.barrage.danmaku.ingest.Danmaku;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * For push-service: what a viewer who reconnects with {@code since} missed, read straight from MySQL (not
 * the segment cache, which is keyed by playback time).
 */
@RestController
@Tag(name = "internal", description = "Service-to-service; requires X-Service-Token")
class ResumeController {

    static final int MAX_LIMIT = 1000;

    private final DanmakuMapper mapper;

    ResumeController(DanmakuMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * {@code items}: the stored danmaku with a seq above {@code seq}, in seq order. A seq with no item was
     * deleted or voided (or is not stored yet, see below).
     *
     * <p>{@code persistedSeq}: the highest seq stored for the video (0 if none). Rows are written in the
     * video's partition order, so every event up to that danmaku has been applied: the answer is complete
     * up to {@code persistedSeq}, and above it only as far as {@code items} reaches when {@code more} is
     * false. {@code publishedSeq} is the sequencer's last published seq (0 if none); persistence follows it
     * asynchronously, so {@code persistedSeq < publishedSeq} means history is still catching up, or that the
     * latest danmaku were deleted.
     */
    record Since(long videoId, List<Danmaku> items, boolean more, long persistedSeq, long publishedSeq) {}

    @Operation(summary = "A video's danmaku after a seq, in seq order, for a resuming viewer (limit 1–1000)")
    @GetMapping("/internal/v1/videos/{videoId}/danmaku/since")
    Since since(
            @PathVariable("videoId") long videoId,
            @RequestParam("seq") long seq,
            @RequestParam(name = "limit", defaultValue = "500") int limit) {
        if (seq < 0 || limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("invalid-request", "Need seq >= 0 and limit 1–" + MAX_LIMIT + ".");
        }
        // The watermark first: rows read afterwards are at least as fresh, never the other way round.
        Long persisted = mapper.maxSeq(videoId);
        Long published = mapper.publishedSeq(videoId);
        List<DanmakuRow> rows = mapper.afterSeq(videoId, seq, limit + 1);
        boolean more = rows.size() > limit;
        List<Danmaku> items = (more ? rows.subList(0, limit) : rows)
                .stream().map(DanmakuRow::toDanmaku).toList();
        return new Since(videoId, items, more, persisted == null ? 0 : persisted, published == null ? 0 : published);
    }
}
