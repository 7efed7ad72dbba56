package io.barrage.user.web;

import java.util.Optional;

/**
 * The user the gateway verified for this request. Controllers take it as a parameter; it is empty
 * when the request is anonymous or did not come through a holder of the service credential.
 */
public record CurrentUser(Optional<Long> id) {

    public long require() {
        return id.orElseThrow(ApiException::unauthenticated);
    }
}
