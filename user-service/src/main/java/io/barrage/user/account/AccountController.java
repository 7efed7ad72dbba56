package io.barrage.user.account;

import io.barrage.user.web.ApiException;
import io.barrage.user.web.CurrentUser;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/users")
class AccountController {

    private final Accounts accounts;

    AccountController(Accounts accounts) {
        this.accounts = accounts;
    }

    @PostMapping
    ResponseEntity<UserView> register(@RequestBody RegisterRequest request) {
        UserView user = accounts.register(request);
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.id())).body(user);
    }

    @GetMapping("/me")
    UserView me(CurrentUser current) {
        // a verified id whose account is gone is as good as no login
        return accounts.view(current.require()).orElseThrow(ApiException::unauthenticated);
    }

    @GetMapping("/{id}")
    PublicProfile profile(@PathVariable long id) {
        return accounts.profile(id).orElseThrow(() -> userNotFound(id));
    }

    static ApiException userNotFound(long id) {
        return new ApiException(HttpStatus.NOT_FOUND, "user-not-found", "There is no user " + id + ".");
    }
}
