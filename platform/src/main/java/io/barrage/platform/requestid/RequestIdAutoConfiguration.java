package io.barrage.platform.requestid;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.RecordInterceptor;

/** Request ids on each carrier the service has: servlet or reactive HTTP, Feign, Kafka. */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "barrage.platform.request-id.enabled", matchIfMissing = true)
@EnableConfigurationProperties(RequestIdProperties.class)
public class RequestIdAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class Servlet {

        @Bean
        @ConditionalOnMissingBean
        ServletRequestIdFilter servletRequestIdFilter() {
            return new ServletRequestIdFilter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    static class Reactive {

        @Bean
        @ConditionalOnMissingBean
        ReactiveRequestIdFilter reactiveRequestIdFilter() {
            return new ReactiveRequestIdFilter();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "feign.RequestInterceptor")
    static class Feign {

        @Bean
        @ConditionalOnMissingBean
        RequestIdFeignInterceptor requestIdFeignInterceptor() {
            return new RequestIdFeignInterceptor();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(
            name = {
                "org.springframework.kafka.core.KafkaTemplate",
                "org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer"
            })
    static class Kafka {

        @Bean
        DefaultKafkaProducerFactoryCustomizer requestIdOnProducedRecords() {
            return factory -> factory.updateConfigs(java.util.Map.of(
                    ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, RequestIdProducerInterceptor.class.getName()));
        }

        @Bean
        @ConditionalOnMissingBean(RecordInterceptor.class)
        RequestIdRecordInterceptor requestIdRecordInterceptor() {
            return new RequestIdRecordInterceptor();
        }
    }
}
