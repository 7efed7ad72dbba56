package io.barrage.user.session;

import com.baomidou.mybatisplus.core.conditions.query.LambdaQueryWrapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/v1/jobs/session-purge}: scheduler-service's clock calls this to delete expired
 * sessions from {@code user_session}; the work stays here, in the schema that owns the rows. Deletes in
 * batches so no single statement holds many row locks; safe to call concurrently (two calls delete
 * disjoint rows or nothing). Redis copies expire on their own TTL.
 */
@RestController
@Tag(name = "internal", description = "For other services only; never routed by the gateway")
@SecurityRequirement(name = "serviceToken")
class SessionPurgeController {

    private static final int BATCH = 1000;

    record Purged(long items) {}

    private final SessionRowMapper rows;

    SessionPurgeController(SessionRowMapper rows) {
        this.rows = rows;
    }

    @PostMapping("/internal/v1/jobs/session-purge")
    @Operation(summary = "Delete expired sessions; answers how many were deleted")
    @ApiResponse(responseCode = "200", description = "`{\"items\": N}`")
    @ApiResponse(responseCode = "401", description = "`service-credential-required`: X-Service-Token missing or wrong")
    Purged purge() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long total = 0;
        int deleted;
        do {
            deleted = rows.delete(new LambdaQueryWrapper<SessionRow>()
                    .le(SessionRow::getExpiresAt, now)
                    .last("LIMIT " + BATCH));
            total += deleted;
        } while (deleted == BATCH);
        return new Purged(total);
    }
}
