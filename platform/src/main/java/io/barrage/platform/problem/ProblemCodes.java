package io.barrage.platform.problem;

import org.springframework.http.HttpStatusCode;

/**
 * The stable codes for what a framework answers by itself (no route, wrong method, unreadable body …),
 * the same on every service and at the gateway. A service's own failures choose their code in
 * {@link ApiException}.
 */
public final class ProblemCodes {

    public static final String INVALID_REQUEST = "invalid-request";
    public static final String MALFORMED_JSON = "malformed-json";
    public static final String INTERNAL_ERROR = "internal-error";
    public static final String SERVICE_UNAVAILABLE = "service-unavailable";

    private ProblemCodes() {}

    public static String forStatus(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> INVALID_REQUEST;
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 408 -> "request-timeout";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 502 -> "bad-gateway";
            case 503 -> SERVICE_UNAVAILABLE;
            case 504 -> "gateway-timeout";
            default -> status.is4xxClientError() ? INVALID_REQUEST : INTERNAL_ERROR;
        };
    }
}
