package io.barrage.platform.problem;

import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every failure of a Spring MVC service as problem+json with a stable {@code code}; never a trace or SQL.
 * A refused input names its {@code field} wherever the framework says which one it was. Ordered last, so a
 * service's own advice for one of its types (video-service's object store, say) is asked first.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ServletProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ServletProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        if (e.retryAfterSeconds() > 0) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return response.body(Problems.of(e.status(), e.code(), e.getMessage(), e.field()));
    }

    /**
     * A query or form parameter that is not valid in its charset (%FF, or a truncated UTF-8 sequence):
     * Tomcat refuses to decode it when the parameter is read. The client's fault, not a 500.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(InvalidParameterException e) {
        return badRequest("A parameter is not valid UTF-8.");
    }

    /** A multipart body without a usable boundary, or cut short. */
    @ExceptionHandler(MultipartException.class)
    ResponseEntity<ProblemDetail> multipart(MultipartException e) {
        return badRequest("The multipart body could not be read.");
    }

    /** A Content-Type or Accept header that is not a media type at all ({@code application/json;q=x}). */
    @ExceptionHandler({InvalidMimeTypeException.class, InvalidMediaTypeException.class})
    ResponseEntity<ProblemDetail> unreadableMediaType(Exception e) {
        return badRequest("A Content-Type or Accept header cannot be read.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        HttpStatus status = HttpStatus.INTERNAL_SERVER_ERROR;
        return ResponseEntity.status(status)
                .body(Problems.of(status, ProblemCodes.INTERNAL_ERROR, "Something went wrong on our side.", null));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        JsonFault fault = JsonFault.of(ex);
        ProblemDetail problem = fault.wrongType()
                ? Problems.of(
                        HttpStatus.BAD_REQUEST,
                        ProblemCodes.INVALID_REQUEST,
                        fault.field() == null
                                ? "A field has the wrong type."
                                : "'" + fault.field() + "' has the wrong type.",
                        fault.field())
                // the parser's own message can echo the input and name internals
                : Problems.of(HttpStatus.BAD_REQUEST, ProblemCodes.MALFORMED_JSON, "The body is not valid JSON.", null);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError error = ex.getBindingResult().getFieldError();
        return invalid(ex, "The request is invalid.", error == null ? null : error.getField(), headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = ex.getParameterValidationResults().isEmpty()
                ? null
                : ex.getParameterValidationResults()
                        .getFirst()
                        .getMethodParameter()
                        .getParameterName();
        return invalid(ex, "The request is invalid.", field, headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleTypeMismatch(
            TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = ex.getPropertyName();
        String detail = field == null ? "A parameter has the wrong type." : "'" + field + "' has the wrong type.";
        return invalid(ex, detail, field, headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException ex,
            HttpHeaders headers,
            HttpStatusCode status,
            WebRequest request) {
        String field = ex.getParameterName();
        return invalid(ex, "'" + field + "' is missing.", field, headers, request);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMissingServletRequestPart(
            MissingServletRequestPartException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String part = ex.getRequestPartName();
        // an upload without its file has had its own code since the first upload endpoint
        String code = "file".equals(part) ? "missing-file" : ProblemCodes.INVALID_REQUEST;
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, code, "'" + part + "' is missing.", part);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    /** Everything Spring MVC answers itself (404, 405, 413, 415 …) gets the code of its status. */
    @Override
    protected @Nullable ResponseEntity<Object> handleExceptionInternal(
            Exception ex, @Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(statusCode);
        if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
            problem.setProperty("code", ProblemCodes.forStatus(statusCode));
        }
        return super.handleExceptionInternal(ex, problem, headers, statusCode, request);
    }

    private @Nullable ResponseEntity<Object> invalid(
            Exception ex, String detail, @Nullable String field, HttpHeaders headers, WebRequest request) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_REQUEST, detail, field);
        return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
    }

    private static ResponseEntity<ProblemDetail> badRequest(String detail) {
        return ResponseEntity.badRequest()
                .body(Problems.of(HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_REQUEST, detail, null));
    }
}
