package io.barrage.platform.problem;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A failure the client caused or must know about, answered as problem+json: the status, a stable
 * {@code code}, a human {@code detail}, and for a refused input the {@code field} it concerns. A wait
 * ({@link #retryAfter(Duration)}) is sent as {@code Retry-After}.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final @Nullable String field;
    private @Nullable Duration retryAfter;

    public ApiException(HttpStatus status, String code, String detail) {
        this(status, code, detail, null);
    }

    public ApiException(HttpStatus status, String code, String detail, @Nullable String field) {
        super(detail);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** 400 {@code invalid-request} about one input. */
    public static ApiException invalid(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_REQUEST, detail, field);
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, code, detail);
    }

    /** 401 {@code unauthenticated}: the endpoint needs a signed-in user. */
    public static ApiException unauthenticated() {
        return new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in to do this.");
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public @Nullable String field() {
        return field;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** Whole seconds to wait, rounded up and at least 1, as {@code Retry-After} says it; 0 for none. */
    public long retryAfterSeconds() {
        return retryAfter == null ? 0 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    public ApiException retryAfter(Duration wait) {
        this.retryAfter = wait;
        return this;
    }
}
