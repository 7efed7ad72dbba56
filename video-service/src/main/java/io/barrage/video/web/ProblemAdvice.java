package io.barrage.video.web;

import io.barrage.video.storage.StorageException;
import java.util.Locale;
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
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every failure becomes {@code application/problem+json} with a stable {@code code}; never a trace or SQL. */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        return problem(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(StorageException.class)
    ResponseEntity<ProblemDetail> storage(StorageException e) {
        log.error("object store failure", e);
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "storage-unavailable", "The video store is unavailable.");
    }

    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "The multipart body could not be read.");
    }

    /**
     * A query or form parameter that is not valid in its charset (%FF, or a truncated UTF-8 sequence):
     * Tomcat refuses to decode it when the parameter is read. The client's fault, not a 500.
     */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(org.apache.tomcat.util.http.InvalidParameterException e) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "A parameter is not valid UTF-8.");
    }

    /** A Content-Type or Accept header that is not a media type at all ({@code application/json;q=x}). */
    @ExceptionHandler({
        org.springframework.util.InvalidMimeTypeException.class,
        org.springframework.http.InvalidMediaTypeException.class
    })
    ResponseEntity<ProblemDetail> unreadableMediaType(Exception e) {
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
        ProblemDetail problem = body instanceof ProblemDetail pd ? pd : ProblemDetail.forStatus(status);
        problem.setProperty("code", codeFor(ex, status));
        if (ex instanceof HttpMessageNotReadableException) {
            // the parser's message can echo the input and internals
            problem.setDetail("The request body is not valid JSON.");
        }
        return super.handleExceptionInternal(ex, problem, headers, status, request);
    }

    private static String codeFor(Exception ex, HttpStatusCode status) {
        return switch (ex) {
            case MaxUploadSizeExceededException e -> "payload-too-large";
            case HttpMessageNotReadableException e -> "malformed-json";
            case MissingServletRequestPartException e when "file".equals(e.getRequestPartName()) -> "missing-file";
            case MethodArgumentNotValidException e -> "invalid-request";
            case HandlerMethodValidationException e -> "invalid-request";
            case TypeMismatchException e -> "invalid-request";
            case MissingServletRequestParameterException e -> "invalid-request";
            case MissingServletRequestPartException e -> "invalid-request";
            case NoResourceFoundException e -> "not-found";
            case NoHandlerFoundException e -> "not-found";
            case HttpRequestMethodNotSupportedException e -> "method-not-allowed";
            case HttpMediaTypeNotSupportedException e -> "unsupported-media-type";
            default -> {
                HttpStatus known = HttpStatus.resolve(status.value());
                yield known == null
                        ? "http-" + status.value()
                        : known.name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
        };
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setProperty("code", code);
        return ResponseEntity.status(status).body(problem);
    }
}
