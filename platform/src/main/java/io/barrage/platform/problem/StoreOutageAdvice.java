package io.barrage.platform.problem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A database or Redis outage is neither the client's fault nor a bug: 503, come back later. */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE - 1)
public class StoreOutageAdvice {

    private static final Logger log = LoggerFactory.getLogger(StoreOutageAdvice.class);

    @ExceptionHandler(DataAccessResourceFailureException.class)
    ResponseEntity<ProblemDetail> storeDown(DataAccessResourceFailureException e) {
        log.warn("a store is unreachable: {}", e.getMessage());
        HttpStatus status = HttpStatus.SERVICE_UNAVAILABLE;
        return ResponseEntity.status(status)
                .body(Problems.of(
                        status,
                        ProblemCodes.SERVICE_UNAVAILABLE,
                        "The service is temporarily unavailable; try again later.",
                        null));
    }
}
