package io.barrage.platform.problem;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The problem+json advice of the stack the service runs on. */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "barrage.platform.problems.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ProblemProperties.class)
public class ProblemAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class Servlet {

        @Bean
        @ConditionalOnMissingBean
        ServletProblemAdvice servletProblemAdvice() {
            return new ServletProblemAdvice();
        }

        @Bean
        @ConditionalOnClass(name = "org.springframework.dao.DataAccessResourceFailureException")
        @ConditionalOnMissingBean
        StoreOutageAdvice storeOutageAdvice() {
            return new StoreOutageAdvice();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        ReactiveProblemAdvice reactiveProblemAdvice() {
            return new ReactiveProblemAdvice();
        }
    }
}
