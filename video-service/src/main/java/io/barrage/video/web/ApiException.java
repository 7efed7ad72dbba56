package io.barrage.video.web;

import org.springframework.http.HttpStatus;

/** A failure the client caused or must know about, answered as a problem with a stable code. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;

    public ApiException(HttpStatus status, String code, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiException videoNotFound(long id) {
        return new ApiException(HttpStatus.NOT_FOUND, "video-not-found", "There is no video " + id + ".");
    }

    public static ApiException unauthenticated() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "This needs a signed-in user.");
    }
}
