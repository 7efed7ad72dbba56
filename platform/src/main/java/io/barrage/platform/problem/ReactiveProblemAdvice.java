package io.barrage.platform.problem;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/** The reactive twin of {@link ServletProblemAdvice}, for WebFlux controllers (push-service). */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class ReactiveProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ReactiveProblemAdvice.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status());
        if (e.retryAfterSeconds() > 0) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        }
        return response.body(Problems.of(e.status(), e.code(), e.getMessage(), e.field()));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("unexpected failure", e);
        HttpStatus status = HttpStatus.INTERNAL_SERVER_ERROR;
        return ResponseEntity.status(status)
                .body(Problems.of(status, ProblemCodes.INTERNAL_ERROR, "Something went wrong on our side.", null));
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
                        if (problem.getProperties() == null
                                || !problem.getProperties().containsKey("code")) {
                            problem.setProperty("code", ProblemCodes.forStatus(status));
                        }
                        String field = fieldOf(ex);
                        if (field != null) {
                            problem.setProperty("field", field);
                            problem.setDetail("'" + field + "' has the wrong type.");
                        }
                        if (ex instanceof WebExchangeBindException bind && bind.getFieldError() != null) {
                            FieldError error = bind.getFieldError();
                            problem.setProperty("field", error.getField());
                            problem.setDetail("The request is invalid.");
                        }
                    }
                    return response;
                });
    }

    private static @Nullable String fieldOf(Exception ex) {
        if (ex instanceof ServerWebInputException input
                && input.getCause() instanceof TypeMismatchException mismatch
                && mismatch.getPropertyName() != null) {
            return mismatch.getPropertyName();
        }
        return null;
    }
}
