package io.barrage.scheduler.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/** {@code /internal/v1/**} answers only callers holding the service credential. */
@Component
class InternalApiGuard implements HandlerInterceptor {

    private final ServiceCredentials credentials;

    InternalApiGuard(ServiceCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!credentials.isTrusted(request)) {
            throw new ApiException(
                    HttpStatus.UNAUTHORIZED,
                    "service-credential-required",
                    "Internal APIs need a valid X-Service-Token.");
        }
        return true;
    }
}
