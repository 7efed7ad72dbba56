package io.barrage.user.account;

import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import io.barrage.user.web.ClientAddress;
import io.barrage.user.web.SessionTokens;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/users")
@Tag(name = "accounts", description = "Registration and profiles")
class AccountController {

    private final Accounts accounts;
    private final ClientAddress clientAddress;

    AccountController(Accounts accounts, ClientAddress clientAddress) {
        this.accounts = accounts;
        this.clientAddress = clientAddress;
    }

    @PostMapping
    @Operation(summary = "Register an account")
    ResponseEntity<UserView> register(@RequestBody RegisterRequest request) {
        UserView user = accounts.register(request);
        return ResponseEntity.created(URI.create("/api/v1/users/" + user.id())).body(user);
    }

    @GetMapping("/me")
    @Operation(summary = "The caller's own account (identity from the gateway)")
    UserView me(CurrentUser current) {
        // a verified id whose account is gone is as good as no login
        return accounts.view(current.id()).orElseThrow(ApiException::unauthenticated);
    }

    @PatchMapping("/me")
    @Operation(summary = "Change the caller's display name and/or avatar URL")
    UserView update(CurrentUser current, @RequestBody ProfileUpdate update) {
        return accounts.update(current.id(), update).orElseThrow(ApiException::unauthenticated);
    }

    @PutMapping("/me/password")
    @Operation(summary = "Change the caller's password; every other session of the caller ends")
    ResponseEntity<Void> changePassword(
            CurrentUser current, @RequestBody PasswordChange change, HttpServletRequest request) {
        long id = current.id();
        String keep = SessionTokens.tokenOf(request).map(SessionTokens::hash).orElse(null);
        accounts.changePassword(id, change, clientAddress.of(request), keep);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{id}")
    @Operation(summary = "A user's public profile")
    PublicProfile profile(@PathVariable long id) {
        return accounts.profile(id).orElseThrow(() -> userNotFound(id));
    }

    static ApiException userNotFound(long id) {
        return new ApiException(HttpStatus.NOT_FOUND, "user-not-found", "There is no user " + id + ".");
    }
}
