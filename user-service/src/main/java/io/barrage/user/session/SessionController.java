package io.barrage.user.session;

import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import io.barrage.user.account.Accounts;
import io.barrage.user.account.PublicProfile;
import io.barrage.user.attempts.KnownDevices;
import io.barrage.user.web.ClientAddress;
import io.barrage.user.web.SessionTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/sessions")
@Tag(name = "sessions", description = "Login, logout and the caller's sessions")
class SessionController {

    static final String COOKIE = SessionTokens.COOKIE;

    private final Accounts accounts;
    private final Sessions sessions;
    private final SessionEvents events;
    private final SessionProperties properties;
    private final ClientAddress clientAddress;
    private final KnownDevices devices;

    SessionController(
            Accounts accounts,
            Sessions sessions,
            SessionEvents events,
            SessionProperties properties,
            ClientAddress clientAddress,
            KnownDevices devices) {
        this.devices = devices;
        this.accounts = accounts;
        this.sessions = sessions;
        this.events = events;
        this.properties = properties;
        this.clientAddress = clientAddress;
    }

    @PostMapping
    @Operation(
            summary = "Log in; 429 too-many-attempts with a growing Retry-After after repeated failures",
            description = "Sets the session cookie and a long-lived BARRAGE_DEVICE cookie: a known device is"
                    + " not held up by failures from other addresses or devices.")
    ResponseEntity<LoginResponse> login(@RequestBody LoginRequest request, HttpServletRequest http) {
        String knownDevice = devices.knownFor(http, request.username());
        PublicProfile user = accounts.authenticate(
                        request.username(), request.password(), clientAddress.of(http), knownDevice)
                .orElseThrow(() -> new ApiException(
                        HttpStatus.UNAUTHORIZED, "invalid-credentials", "Wrong username or password."));
        Sessions.Issued session = sessions.open(user.id(), user.username(), http.getHeader(HttpHeaders.USER_AGENT));
        return ResponseEntity.status(HttpStatus.CREATED)
                .header(HttpHeaders.SET_COOKIE, cookie(session.token(), properties.ttl()))
                .header(HttpHeaders.SET_COOKIE, devices.remember(http, user.username(), properties.cookieSecure()))
                .body(new LoginResponse(session.token(), session.expiresAt(), user));
    }

    @GetMapping
    @Operation(summary = "The caller's live sessions, newest first; the one of this request is marked current")
    SessionList list(CurrentUser current, HttpServletRequest request) {
        String currentHash =
                SessionTokens.tokenOf(request).map(SessionTokens::hash).orElse(null);
        return new SessionList(sessions.list(current.id(), currentHash));
    }

    /** The token itself proves the session is the caller's own, so no other identity is needed. */
    @DeleteMapping("/current")
    @Operation(summary = "Log out: end the session of this request's token")
    ResponseEntity<?> logout(HttpServletRequest request) {
        Optional<Sessions.Ended> ended = SessionTokens.tokenOf(request).flatMap(sessions::revoke);
        // the cookie is cleared either way: a browser holding a dead token should forget it
        String clear = cookie("", Duration.ZERO);
        if (ended.isEmpty()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "Log in to do this.");
            problem.setProperty("code", "unauthenticated");
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.SET_COOKIE, clear)
                    .body(problem);
        }
        announce(ended.get());
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, clear).build();
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "End one of the caller's sessions; another user's session is a 404")
    ResponseEntity<Void> revoke(CurrentUser current, @PathVariable long id) {
        Sessions.Ended ended = sessions.revoke(current.id(), id)
                .orElseThrow(() ->
                        new ApiException(HttpStatus.NOT_FOUND, "session-not-found", "You have no session " + id + "."));
        announce(ended);
        return ResponseEntity.noContent().build();
    }

    private void announce(Sessions.Ended ended) {
        events.revoked(SessionRevoked.of(ended.tokenHash(), ended.userId()));
    }

    private String cookie(String value, Duration maxAge) {
        return ResponseCookie.from(COOKIE, value)
                .path("/")
                .httpOnly(true)
                .sameSite("Lax")
                .secure(properties.cookieSecure())
                .maxAge(maxAge)
                .build()
                .toString();
    }
}
