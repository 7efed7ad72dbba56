package io.barrage.danmaku.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.beans.factory.annotation.Value;
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

    private final byte[] serviceToken;

    CurrentUserResolver(@Value("${barrage.service-token}") String serviceToken) {
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
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
        String token = request.getHeader("X-Service-Token");
        String userId = request.getHeader("X-User-Id");
        if (token != null
                && userId != null
                && MessageDigest.isEqual(serviceToken, token.getBytes(StandardCharsets.UTF_8))) {
            try {
                return new CurrentUser(Long.parseLong(userId));
            } catch (NumberFormatException ignored) {
                // a malformed identity is no identity
            }
        }
        throw new ApiException(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in to do this.");
    }
}
