package io.barrage.platform.servlet;

import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** A service the size of a test: one endpoint per thing the platform promises. */
@SpringBootApplication
class ServletTestApp {

    record Note(@NotBlank String text, @Positive int stars) {}

    @RestController
    static class Endpoints {

        @PostMapping("/notes")
        Map<String, Object> post(CurrentUser user, @Valid @RequestBody Note note) {
            return Map.of("by", user.id(), "text", note.text());
        }

        @GetMapping("/whoami")
        Map<String, Object> whoami(Optional<CurrentUser> user) {
            return Map.of("user", user.map(u -> (Object) u.id()).orElse("anonymous"));
        }

        @GetMapping("/page")
        Map<String, Object> page(@RequestParam int size) {
            return Map.of("size", size);
        }

        @GetMapping("/busy")
        void busy() {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "slow-down", "Too many.")
                    .retryAfter(Duration.ofMillis(1500));
        }

        @GetMapping("/title")
        void title() {
            throw ApiException.invalid("title", "A title holds 1 to 100 characters.");
        }

        @GetMapping("/boom")
        void boom() {
            throw new IllegalStateException("SELECT * FROM secrets");
        }

        @GetMapping("/internal/v1/ping")
        Map<String, Object> ping() {
            return Map.of("pong", true);
        }
    }
}
