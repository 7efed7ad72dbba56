package io.barrage.danmaku.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Trusts {@code X-User-Id} only on a request carrying the service credential, which only the gateway (or
 * another service) has; a caller that bypasses the gateway cannot claim an identity.
 */
@Component
class CurrentUserResolver implements HandlerMethodArgumentResolver {

    private final TrustedIdentity identity;

    CurrentUserResolver(TrustedIdentity identity) {
        this.identity = identity;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == CurrentUser.class;
    }

    @Override
    public CurrentUser resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest request,
            WebDataBinderFactory binderFactory) {
        return identity.user(request.getNativeRequest(HttpServletRequest.class))
                .orElseThrow(() -> new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in to do this."));
    }
}
