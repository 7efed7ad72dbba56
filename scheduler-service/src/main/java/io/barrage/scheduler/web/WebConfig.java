package io.barrage.scheduler.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration
class WebConfig implements WebMvcConfigurer {

    private final InternalApiGuard internalApiGuard;

    WebConfig(InternalApiGuard internalApiGuard) {
        this.internalApiGuard = internalApiGuard;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(internalApiGuard).addPathPatterns("/internal/**");
    }
}
