package io.barrage.danmaku.web;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DatabindException;

/** Every error leaves as RFC 9457 problem+json with a stable {@code code}; never a stack trace. */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        ResponseEntity<ProblemDetail> response = problem(e.status(), e.code(), e.getMessage());
        if (e.retryAfterSeconds() > 0) {
            return ResponseEntity.status(response.getStatusCode())
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                    .body(response.getBody());
        }
        return response;
    }

    /**
     * A query or form parameter that is not valid in its charset (%FF, or a truncated UTF-8 sequence):
     * Tomcat refuses to decode it when the parameter is read. The client's fault, not a 500.
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(org.apache.tomcat.util.http.InvalidParameterException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "A parameter is not valid UTF-8.");
    }

    /**
     * A Content-Type of multipart/form-data without a usable boundary, or a Content-Type or Accept header
     * that is not a media type at all ({@code application/json;q=x}): the client's fault, not a 500.
     */
    @ExceptionHandler({
        org.springframework.web.multipart.MultipartException.class,
        org.springframework.util.InvalidMimeTypeException.class,
        org.springframework.http.InvalidMediaTypeException.class
    })
    ResponseEntity<ProblemDetail> unreadableHeaders(Exception e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "A Content-Type or Accept header cannot be read.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Something went wrong on our side.");
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(
            Exception ex, @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, status, request);
        if (response != null && response.getBody() instanceof ProblemDetail problem) {
            problem.setProperty("code", codeFor(ex, status));
            if (ex instanceof HttpMessageNotReadableException e) {
                // Jackson's own message quotes the body and names our classes; say it plainly instead.
                String field = isWrongType(e) ? fieldOf(e) : null;
                if (field != null) {
                    problem.setProperty("field", field);
                    problem.setDetail("'" + field + "' has the wrong type.");
                } else {
                    problem.setDetail(isWrongType(e) ? "A field has the wrong type." : "The body is not valid JSON.");
                }
            }
        }
        return response;
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.BAD_REQUEST, "'" + ex.getPropertyName() + "' has the wrong type.");
        problem.setProperty("field", ex.getPropertyName());
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static String codeFor(Exception ex, HttpStatusCode status) {
        return switch (ex) {
            case HttpMessageNotReadableException e when isWrongType(e) -> "invalid-request";
            case HttpMessageNotReadableException e -> "malformed-json";
            case NoResourceFoundException e -> "not-found";
            case HttpRequestMethodNotSupportedException e -> "method-not-allowed";
            case HttpMediaTypeNotSupportedException e -> "unsupported-media-type";
            case HttpMediaTypeNotAcceptableException e -> "not-acceptable";
            default -> status.is4xxClientError() ? "invalid-request" : "internal-error";
        };
    }

    /** The JSON path of the offending value, e.g. {@code playbackMs}, or null if Jackson did not say. */
    private static @Nullable String fieldOf(HttpMessageNotReadableException e) {
        JacksonException jackson = deepestJackson(e);
        if (jackson == null || jackson.getPath().isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : jackson.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** Well-formed JSON whose values do not fit the request (a string where a number belongs). */
    private static boolean isWrongType(HttpMessageNotReadableException e) {
        JacksonException jackson = deepestJackson(e);
        return jackson instanceof DatabindException || jackson instanceof InputCoercionException;
    }

    private static @Nullable JacksonException deepestJackson(Throwable e) {
        JacksonException deepest = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JacksonException jackson) {
                deepest = jackson;
            }
        }
        return deepest;
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(status.getReasonPhrase());
        problem.setProperty("code", code);
        return ResponseEntity.status(status).body(problem);
    }
}
