package io.barrage.gateway.edge;

import io.barrage.platform.problem.ProblemCodes;
import io.barrage.platform.problem.ReactiveProblems;
import io.barrage.platform.requestid.RequestIds;
import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.gateway.support.NotFoundException;
import org.springframework.cloud.gateway.support.TimeoutException;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.PrematureCloseException;

/**
 * The gateway's own failures (no route, a service down or silent) as problem+json. Runs before Spring
 * Boot's handler, which would answer with its own JSON shape.
 */
@Component
@Order(-2)
class GatewayErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
        if (ex instanceof NotFoundException || isConnectFailure(ex)) {
            // NotFoundException is what the load balancer raises when a service has no instance
            log.warn(
                    "[{}] downstream unavailable for {}: {}",
                    requestId,
                    exchange.getRequest().getPath(),
                    ex.toString());
            return ReactiveProblems.write(
                    exchange,
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "service-unavailable",
                    "The service is unavailable; try again later.");
        }
        if (ex instanceof TimeoutException || ex instanceof java.util.concurrent.TimeoutException) {
            log.warn(
                    "[{}] downstream timed out for {}",
                    requestId,
                    exchange.getRequest().getPath());
            return ReactiveProblems.write(
                    exchange, HttpStatus.GATEWAY_TIMEOUT, "gateway-timeout", "The service did not answer in time.");
        }
        if (ex instanceof PrematureCloseException) {
            log.warn(
                    "[{}] downstream closed the connection for {}",
                    requestId,
                    exchange.getRequest().getPath());
            return ReactiveProblems.write(
                    exchange, HttpStatus.BAD_GATEWAY, "bad-gateway", "The service failed to answer.");
        }
        if (ex instanceof ResponseStatusException rse) {
            HttpStatusCode code = rse.getStatusCode();
            HttpStatus status = HttpStatus.resolve(code.value());
            if (status == null) {
                status = code.is4xxClientError() ? HttpStatus.BAD_REQUEST : HttpStatus.INTERNAL_SERVER_ERROR;
            }
            if (status.is5xxServerError()) {
                log.warn(
                        "[{}] {} for {}",
                        requestId,
                        status,
                        exchange.getRequest().getPath(),
                        ex);
            }
            if (status == HttpStatus.REQUEST_TIMEOUT) {
                // the rest of the body may still be trickling in: end the connection with the answer
                exchange.getResponse().getHeaders().setConnection("close");
            }
            return ReactiveProblems.write(exchange, status, ProblemCodes.forStatus(status), detailFor(status));
        }
        log.error(
                "[{}] unexpected failure for {}",
                requestId,
                exchange.getRequest().getPath(),
                ex);
        return ReactiveProblems.write(
                exchange, HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Something went wrong on our side.");
    }

    private static boolean isConnectFailure(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof ConnectTimeoutException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static String detailFor(HttpStatus status) {
        return switch (status) {
            case NOT_FOUND -> "No such resource.";
            case REQUEST_TIMEOUT -> "The request body stopped arriving.";
            default ->
                status.is4xxClientError() ? "The request was not accepted." : "Something went wrong on our side.";
        };
    }
}
