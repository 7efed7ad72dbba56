package io.barrage.video.web;

import io.barrage.platform.problem.ApiException;
import org.springframework.http.HttpStatus;

/** The problems every feature of this service answers the same way. */
public final class VideoProblems {

    private VideoProblems() {}

    public static ApiException videoNotFound(long id) {
        return new ApiException(HttpStatus.NOT_FOUND, "video-not-found", "There is no video " + id + ".");
    }
}
