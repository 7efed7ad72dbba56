package io.barrage.danmaku.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration
class WebConfig implements WebMvcConfigurer {

    private final CurrentUserResolver currentUserResolver;
    private final TrustedIdentity identity;

    WebConfig(CurrentUserResolver currentUserResolver, TrustedIdentity identity) {
        this.currentUserResolver = currentUserResolver;
        this.identity = identity;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(currentUserResolver);
    }

    /** Every {@code /internal/v1/**} call must prove it comes from a service. */
    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                        if (!identity.fromService(request)) {
                            throw new ApiException(
                                    HttpStatus.UNAUTHORIZED,
                                    "service-credential-required",
                                    "This endpoint is for other services.");
                        }
                        return true;
                    }
                })
                .addPathPatterns("/internal/**");
    }
}
