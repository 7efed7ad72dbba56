package io.barrage.user.account;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Profile reads for other services; the service credential is checked by the internal API guard. */
@RestController
@RequestMapping("/internal/v1/users")
class InternalUserController {

    private final Accounts accounts;

    InternalUserController(Accounts accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/{id}")
    PublicProfile user(@PathVariable long id) {
        return accounts.profile(id).orElseThrow(() -> AccountController.userNotFound(id));
    }
}
