package io.barrage.user.web;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/** A failure the client caused or must know about, answered as problem+json with a stable code. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final String field;
    private Duration retryAfter;

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, null);
    }

    public ApiException(HttpStatus status, String code, String detail, String field) {
        super(detail);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    /** Whole seconds, rounded up, for the {@code Retry-After} header; null when there is none. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public ApiException retryAfter(Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    public static ApiException unauthenticated() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Log in to do this.");
    }
}
