package io.barrage.user.session;

import io.barrage.user.web.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Token checks for the gateway; the service credential is checked by the internal API guard. */
@RestController
@RequestMapping("/internal/v1/sessions")
class InternalSessionController {

    private final Sessions sessions;

    InternalSessionController(Sessions sessions) {
        this.sessions = sessions;
    }

    @PostMapping("/introspect")
    Introspection introspect(@RequestBody IntrospectRequest request) {
        return sessions.find(request.token())
                .map(s -> new Introspection(s.userId(), s.username()))
                .orElseThrow(() -> new ApiException(
                        HttpStatus.NOT_FOUND, "session-not-found", "The token is unknown or has expired."));
    }
}
