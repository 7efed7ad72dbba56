package io.barrage.danmaku.ingest;

import io.barrage.danmaku.web.CurrentUser;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DanmakuController {

    private final DanmakuIngest ingest;

    DanmakuController(DanmakuIngest ingest) {
        this.ingest = ingest;
    }

    // CurrentUser comes first so an anonymous caller gets 401 before the body is parsed.
    @PostMapping("/api/v1/videos/{id}/danmaku")
    @ResponseStatus(HttpStatus.CREATED)
    Danmaku create(CurrentUser user, @PathVariable("id") long videoId, @RequestBody CreateDanmakuRequest request) {
        return ingest.create(videoId, user.id(), request);
    }
}
