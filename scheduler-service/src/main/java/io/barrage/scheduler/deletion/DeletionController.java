package io.barrage.scheduler.deletion;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import io.barrage.scheduler.web.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /internal/v1/deletions?status=&page=&size=}; the service credential is checked for all of /internal. */
@RestController
class DeletionController {

    record DeletionPage(List<DeletionView> items, int page, int size, long total) {}

    private final VideoDeletionMapper deletions;

    DeletionController(VideoDeletionMapper deletions) {
        this.deletions = deletions;
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
}
