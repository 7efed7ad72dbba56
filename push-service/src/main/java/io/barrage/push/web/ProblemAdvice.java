package io.barrage.push.web;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import reactor.core.publisher.Mono;

/** Every error leaves as RFC 9457 problem+json with a stable {@code code}; never a stack trace. */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        ProblemDetail problem =
                ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side.");
        problem.setTitle(HttpStatus.INTERNAL_SERVER_ERROR.getReasonPhrase());
        problem.setProperty("code", "internal-error");
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).body(problem);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(
            Exception ex,
            @Nullable Object body,
            @Nullable HttpHeaders headers,
            HttpStatusCode status,
            ServerWebExchange exchange) {
        return super.handleExceptionInternal(ex, body, headers, status, exchange)
                .map(response -> {
                    if (response.getBody() instanceof ProblemDetail problem) {
                        problem.setProperty("code", codeFor(ex, status));
                        if (ex instanceof ServerWebInputException input
                                && input.getCause() instanceof TypeMismatchException mismatch
                                && mismatch.getPropertyName() != null) {
                            problem.setProperty("field", mismatch.getPropertyName());
                            problem.setDetail("'" + mismatch.getPropertyName() + "' has the wrong type.");
                        }
                    }
                    return response;
                });
    }

    private static String codeFor(Exception ex, HttpStatusCode status) {
        return switch (ex) {
            case NoResourceFoundException e -> "not-found";
            case MethodNotAllowedException e -> "method-not-allowed";
            case UnsupportedMediaTypeStatusException e -> "unsupported-media-type";
            case NotAcceptableStatusException e -> "not-acceptable";
            default -> status.is4xxClientError() ? "invalid-request" : "internal-error";
        };
    }
}
