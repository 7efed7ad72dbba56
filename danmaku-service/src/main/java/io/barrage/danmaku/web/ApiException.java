package io.barrage.danmaku.web;

import org.springframework.http.HttpStatus;

/** A failure the client should see as a problem+json with a stable {@code code}. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, 0);
    }

    /** With a Retry-After of {@code retryAfterSeconds} (0 for none). */
    public ApiException(HttpStatus status, String code, String detail, long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds a client should wait before retrying (sent as Retry-After), or 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
    }
}
