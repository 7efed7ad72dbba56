package io.barrage.user.web;

import io.barrage.platform.credential.ServiceCredential;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/** The service credential as an OpenAPI security scheme, required by every {@code /internal/v1/**} operation. */
@Configuration
@OpenAPIDefinition(
        info =
                @Info(
                        title = "user-service",
                        version = "v1",
                        description = "Accounts, sessions, and the internal API the gateway and other services use."))
@SecurityScheme(
        name = "serviceToken",
        type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER,
        paramName = ServiceCredential.HEADER,
        description = "The shared service credential (barrage.service-token); the gateway adds it to every request.")
class OpenApiConfig {}
