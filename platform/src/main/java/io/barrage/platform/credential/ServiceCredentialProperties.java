package io.barrage.platform.credential;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service credential's settings. The token keeps the name every deployment already sets
 * ({@code barrage.service-token}); the switches live under {@code barrage.platform.credential}.
 *
 * @param serviceToken the shared service credential (from {@code BARRAGE_SERVICETOKEN}): the same random
 *     value in every service, at least 32 characters
 */
@ConfigurationProperties("barrage")
public record ServiceCredentialProperties(@Nullable String serviceToken) {

    /**
     * @param guardInternalApi answer 401 on {@code /internal/**} without the credential (servlet services)
     * @param feign send the credential on every Feign call
     */
    @ConfigurationProperties("barrage.platform.credential")
    public record Switches(
            @DefaultValue("true") boolean guardInternalApi,
            @DefaultValue("true") boolean feign) {}
}
