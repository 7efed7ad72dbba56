package io.barrage.user.session;

import io.barrage.user.account.Accounts;
import io.barrage.user.account.PublicProfile;
import io.barrage.user.web.ApiException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/sessions")
class SessionController {

    static final String COOKIE = "BARRAGE_SESSION";

    private final Accounts accounts;
    private final Sessions sessions;
    private final SessionEvents events;
    private final SessionProperties properties;

    SessionController(Accounts accounts, Sessions sessions, SessionEvents events, SessionProperties properties) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.events = events;
        this.properties = properties;
    }

    @PostMapping
    ResponseEntity<LoginResponse> login(@RequestBody LoginRequest request) {
        PublicProfile user = accounts.authenticate(request.username(), request.password())
                .orElseThrow(() -> new ApiException(
                        HttpStatus.UNAUTHORIZED, "invalid-credentials", "Wrong username or password."));
        Sessions.Issued session = sessions.open(user.id(), user.username());
        return ResponseEntity.status(HttpStatus.CREATED)
                .header(HttpHeaders.SET_COOKIE, cookie(session.token(), properties.ttl()))
                .body(new LoginResponse(session.token(), session.expiresAt(), user));
    }

    /** The token itself proves the session is the caller's own, so no other identity is needed. */
    @DeleteMapping("/current")
    ResponseEntity<?> logout(HttpServletRequest request) {
        Optional<String> token = tokenOf(request);
        Optional<SessionData> ended = token.flatMap(sessions::revoke);
        // the cookie is cleared either way: a browser holding a dead token should forget it
        String clear = cookie("", Duration.ZERO);
        if (ended.isEmpty()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, "Log in to do this.");
            problem.setProperty("code", "unauthenticated");
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.SET_COOKIE, clear)
                    .body(problem);
        }
        events.revoked(SessionRevoked.of(Sessions.hash(token.get()), ended.get().userId()));
        return ResponseEntity.noContent().header(HttpHeaders.SET_COOKIE, clear).build();
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

    static Optional<String> tokenOf(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).strip();
            if (!token.isEmpty()) {
                return Optional.of(token);
            }
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (COOKIE.equals(cookie.getName()) && !cookie.getValue().isBlank()) {
                    return Optional.of(cookie.getValue());
                }
            }
        }
        return Optional.empty();
    }
}
