package io.barrage.platform.credential;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The service credential in every service (a weak token stops the start), sent on Feign calls, and
 * required on {@code /internal/**} of a servlet service.
 */
@AutoConfiguration
@EnableConfigurationProperties({ServiceCredentialProperties.class, ServiceCredentialProperties.Switches.class})
public class CredentialAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ServiceCredential serviceCredential(ServiceCredentialProperties properties) {
        ServiceTokenRule.check(properties.serviceToken());
        return new ServiceCredential(properties.serviceToken());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "feign.RequestInterceptor")
    @ConditionalOnBooleanProperty(name = "barrage.platform.credential.feign", matchIfMissing = true)
    static class Feign {

        @Bean
        @ConditionalOnMissingBean
        ServiceCredentialFeignInterceptor serviceCredentialFeignInterceptor(ServiceCredential credential) {
            return new ServiceCredentialFeignInterceptor(credential);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnBooleanProperty(name = "barrage.platform.credential.guard-internal-api", matchIfMissing = true)
    static class Servlet {

        @Bean
        InternalApiGuard internalApiGuard(ServiceCredential credential) {
            return new InternalApiGuard(credential);
        }

        @Bean
        WebMvcConfigurer internalApiGuardRegistration(InternalApiGuard guard) {
            return new WebMvcConfigurer() {
                @Override
                public void addInterceptors(InterceptorRegistry registry) {
                    registry.addInterceptor(guard).addPathPatterns("/internal/**");
                }
            };
        }
    }
}
