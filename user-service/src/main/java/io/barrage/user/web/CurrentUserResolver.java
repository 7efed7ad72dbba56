package io.barrage.user.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Trusts {@code X-User-Id} only next to a valid service token: anyone who bypasses the gateway could
 * send the header, but not the token.
 */
@Component
class CurrentUserResolver implements HandlerMethodArgumentResolver {

    static final String USER_ID = "X-User-Id";

    private final ServiceCredential credential;

    CurrentUserResolver(ServiceCredential credential) {
        this.credential = credential;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == CurrentUser.class;
    }

    @Override
    public CurrentUser resolveArgument(
            MethodParameter parameter,
            ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest,
            WebDataBinderFactory binderFactory) {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        if (request == null || !credential.presentIn(request)) {
            return new CurrentUser(Optional.empty());
        }
        String raw = request.getHeader(USER_ID);
        if (raw == null) {
            return new CurrentUser(Optional.empty());
        }
        try {
            long id = Long.parseLong(raw.trim());
            return new CurrentUser(id > 0 ? Optional.of(id) : Optional.empty());
        } catch (NumberFormatException e) {
            return new CurrentUser(Optional.empty());
        }
    }
}
