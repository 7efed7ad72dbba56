package io.barrage.danmaku.uploader;

import io.barrage.platform.problem.ApiException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/** Which danmaku a video's owner protected: asked only when something would remove one (rare), never cached. */
@Component
public class Protections {

    /** How many protected ids a video's state lists. */
    static final int LISTED = 1000;

    private final UploaderMapper mapper;

    Protections(UploaderMapper mapper) {
        this.mapper = mapper;
    }

    public boolean isProtected(long danmakuId) {
        return mapper.isProtected(danmakuId);
    }

    public static ApiException refused() {
        return new ApiException(HttpStatus.CONFLICT, "danmaku-protected", "The video's owner protected this danmaku.");
    }

    void protect(long danmakuId, long videoId) {
        mapper.protect(danmakuId, videoId);
    }

    void unprotect(long danmakuId) {
        mapper.unprotect(danmakuId);
    }

    List<Long> of(long videoId) {
        return mapper.protectedOf(videoId, LISTED);
    }
}
