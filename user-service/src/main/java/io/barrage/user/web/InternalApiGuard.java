package io.barrage.user.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;

/** Lets only callers holding the service credential reach {@code /internal/v1/**}. */
@Component
class InternalApiGuard implements HandlerInterceptor {

    private final ServiceCredential credential;

    InternalApiGuard(ServiceCredential credential) {
        this.credential = credential;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!credential.presentIn(request)) {
            throw new ApiException(
                    HttpStatus.UNAUTHORIZED,
                    "service-credential-required",
                    "This internal endpoint needs a valid X-Service-Token.");
        }
        return true;
    }
}
