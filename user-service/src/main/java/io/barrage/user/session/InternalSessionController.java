package io.barrage.user.session;

import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Token checks for the gateway; the service credential is checked by the internal API guard. The token
 * travels in a POST body, never in a URL, so it cannot end up in an access log.
 */
@RestController
@RequestMapping("/internal/v1/sessions")
@Tag(name = "internal", description = "For other services only; never routed by the gateway")
@SecurityRequirement(name = "serviceToken")
class InternalSessionController {

    private final Sessions sessions;

    InternalSessionController(Sessions sessions) {
        this.sessions = sessions;
    }

    @PostMapping("/introspect")
    @Operation(
            summary = "Who a session token belongs to",
            description = "Slides the session's expiry. Unknown, expired, revoked and malformed tokens are all 404.")
    @ApiResponse(responseCode = "200", description = "The session's user")
    @ApiResponse(responseCode = "401", description = "`service-credential-required`: X-Service-Token missing or wrong")
    @ApiResponse(responseCode = "404", description = "`session-not-found`")
    Introspection introspect(@RequestBody IntrospectRequest request) {
        return sessions.find(request.token())
                .map(s -> new Introspection(s.userId(), s.username()))
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND, "session-not-found", "The token is unknown or has expired."));
    }
}
