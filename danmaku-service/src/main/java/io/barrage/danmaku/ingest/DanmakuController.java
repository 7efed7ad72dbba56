package io.barrage.danmaku.ingest;

import io.barrage.platform.identity.CurrentUser;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DanmakuController {

    private final DanmakuIngest ingest;

    DanmakuController(DanmakuIngest ingest) {
        this.ingest = ingest;
    }

    /**
     * 201 with the danmaku once Kafka acknowledged it. A replay of an earlier POST with the same
     * Idempotency-Key answers the same 201 and body, marked with {@code Idempotent-Replayed: true}.
     */
    // CurrentUser comes first so an anonymous caller gets 401 before the body is parsed.
    @PostMapping("/api/v1/videos/{id}/danmaku")
    ResponseEntity<Danmaku> create(
            CurrentUser user,
            @PathVariable("id") long videoId,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            @RequestBody NewDanmaku request) {
        DanmakuIngest.Outcome outcome = ingest.create(videoId, user.id(), request, idempotencyKey);
        ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.CREATED);
        if (outcome.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(outcome.danmaku());
    }
}
