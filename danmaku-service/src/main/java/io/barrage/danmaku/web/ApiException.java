package io.barrage.danmaku.web;

import org.springframework.http.HttpStatus;

/** A failure the client should see as a problem+json with a stable {@code code}. */
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

    /** Seconds a client should wait before retrying (sent as Retry-After), or 0 for none. */
    public long retryAfterSeconds() {
        return 0;
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
    }
}
