package io.barrage.platform.credential;

import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;

/** {@code /internal/**} answers only callers holding the service credential: 401 otherwise. */
public class InternalApiGuard implements HandlerInterceptor {

    private final ServiceCredential credential;

    public InternalApiGuard(ServiceCredential credential) {
        this.credential = credential;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!credential.presentIn(request.getHeader(ServiceCredential.HEADER))) {
            throw new ApiException(
                    HttpStatus.UNAUTHORIZED,
                    "service-credential-required",
                    "Internal APIs need a valid X-Service-Token.");
        }
        return true;
    }
}
