package io.barrage.platform.identity;

import io.barrage.platform.credential.CredentialAutoConfiguration;
import io.barrage.platform.credential.ServiceCredential;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The trusted identity of a servlet service's requests, and {@link CurrentUser} controller parameters. */
@AutoConfiguration(after = CredentialAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "barrage.platform.identity.enabled", matchIfMissing = true)
@EnableConfigurationProperties(IdentityProperties.class)
public class IdentityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TrustedIdentity trustedIdentity(ServiceCredential credential) {
        return new TrustedIdentity(credential);
    }

    @Bean
    WebMvcConfigurer currentUserParameters(TrustedIdentity identity) {
        return new WebMvcConfigurer() {
            @Override
            public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
                resolvers.add(new CurrentUserResolver(identity));
            }
        };
    }
}
