package io.barrage.scheduler.deletion;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import io.barrage.platform.problem.ApiException;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The deletion ledger's internal API: list (the dead letter is {@code ?status=FAILED}), intake, audit
 * and retry. The service credential is checked for all of /internal.
 */
@RestController
class DeletionController {

    record DeletionPage(List<DeletionView> items, int page, int size, long total) {}

    record Audit(long videoId, DeletionView deletion, List<AuditEntry> entries) {}

    private final VideoDeletionMapper deletions;
    private final DeletionAuditMapper audit;
    private final DeletionLedger ledger;

    DeletionController(VideoDeletionMapper deletions, DeletionAuditMapper audit, DeletionLedger ledger) {
        this.deletions = deletions;
        this.audit = audit;
        this.ledger = ledger;
    }

    @GetMapping("/internal/v1/deletions")
    DeletionPage list(
            @RequestParam(required = false) DeletionStatus status,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "invalid-request", "page must be >= 0 and size between 1 and 500.");
        }
        var filter = new QueryWrapper<VideoDeletion>();
        if (status != null) {
            filter.eq("status", status.name());
        }
        long total = deletions.selectCount(filter);
        long offset = (long) page * size;
        var query = new QueryWrapper<VideoDeletion>();
        if (status != null) {
            query.eq("status", status.name());
        }
        query.orderByDesc("requested_at", "video_id").last("LIMIT " + size + " OFFSET " + offset);
        List<DeletionView> items = offset >= total
                ? List.of()
                : deletions.selectList(query).stream().map(DeletionView::of).toList();
        return new DeletionPage(items, page, size, total);
    }

    /** 201 when this call starts the grace period, 200 when the deletion was already recorded. */
    @PostMapping("/internal/v1/deletions")
    ResponseEntity<DeletionView> intake(@Valid @RequestBody DeletionRequest request) {
        if (!request.objectKey().startsWith("videos/" + request.videoId() + "/")) {
            // the purge removes everything under the key's folder: it must be this video's folder
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "objectKey must be under videos/" + request.videoId() + "/.");
        }
        boolean started = ledger.videoDeleted(
                request.videoId(), request.ownerId(), request.deletedBy(), request.objectKey(), Instant.now());
        return ResponseEntity.status(started ? HttpStatus.CREATED : HttpStatus.OK)
                .body(DeletionView.of(find(request.videoId())));
    }

    @GetMapping("/internal/v1/deletions/{videoId}")
    DeletionView one(@PathVariable("videoId") long videoId) {
        return DeletionView.of(find(videoId));
    }

    @GetMapping("/internal/v1/deletions/{videoId}/audit")
    Audit audit(@PathVariable("videoId") long videoId) {
        DeletionView deletion = DeletionView.of(find(videoId));
        return new Audit(
                videoId,
                deletion,
                audit.forVideo(videoId).stream().map(AuditEntry::of).toList());
    }

    /** Takes a dead-lettered deletion back: attempts from zero, due now, resuming at the step it reached. */
    @PostMapping("/internal/v1/deletions/{videoId}/retry")
    DeletionView retry(@PathVariable("videoId") long videoId) {
        find(videoId);
        if (!ledger.retry(videoId)) {
            throw new ApiException(
                    HttpStatus.CONFLICT, "deletion-not-failed", "Only a FAILED deletion can be retried.");
        }
        return DeletionView.of(find(videoId));
    }

    private VideoDeletion find(long videoId) {
        VideoDeletion deletion = deletions.selectById(videoId);
        if (deletion == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "deletion-not-found", "No deletion of that video.");
        }
        return deletion;
    }
}
