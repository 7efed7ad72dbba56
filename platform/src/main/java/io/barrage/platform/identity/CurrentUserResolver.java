package io.barrage.platform.identity;

import io.barrage.platform.problem.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Resolves {@link CurrentUser} (required: 401 without one) and {@code Optional<CurrentUser>} parameters. */
public class CurrentUserResolver implements HandlerMethodArgumentResolver {

    private final TrustedIdentity identity;

    public CurrentUserResolver(TrustedIdentity identity) {
        this.identity = identity;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.nestedIfOptional().getNestedParameterType() == CurrentUser.class;
    }

    @Override
    public Object resolveArgument(
            MethodParameter parameter,
            @Nullable ModelAndViewContainer mavContainer,
            NativeWebRequest webRequest,
            @Nullable WebDataBinderFactory binderFactory) {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        Optional<CurrentUser> user = request == null ? Optional.empty() : identity.user(request);
        if (parameter.getParameterType() == Optional.class) {
            return user;
        }
        return user.orElseThrow(ApiException::unauthenticated);
    }
}
