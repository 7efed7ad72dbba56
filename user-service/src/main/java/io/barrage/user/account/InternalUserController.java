package io.barrage.user.account;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Profile reads for other services; the service credential is checked by the internal API guard. */
@RestController
@RequestMapping("/internal/v1/users")
@Tag(name = "internal", description = "For other services only; never routed by the gateway")
@SecurityRequirement(name = "serviceToken")
class InternalUserController {

    private final Accounts accounts;

    InternalUserController(Accounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/{id}")
    @Operation(summary = "A user's public profile, for other services")
    @ApiResponse(responseCode = "200", description = "The profile")
    @ApiResponse(responseCode = "401", description = "`service-credential-required`: X-Service-Token missing or wrong")
    @ApiResponse(responseCode = "404", description = "`user-not-found`")
    PublicProfile user(@PathVariable long id) {
        return accounts.profile(id).orElseThrow(() -> AccountController.userNotFound(id));
    }
}
