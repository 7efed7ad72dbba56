package io.barrage.platform.identity;

/**
 * The user a request acts for, as vouched for by the gateway. A controller parameter of this type makes
 * the endpoint require a user: an anonymous request is refused with 401 {@code unauthenticated} before its
 * body is even read. {@code Optional<CurrentUser>} takes the user when there is one.
 */
public record CurrentUser(long id) {}
