package io.barrage.gateway.identity;

/**
 * A session token was presented but user-service could not say whose it is (unreachable, too slow, or
 * a 5xx), and no recent answer may stand in. Such a request is neither anonymous nor signed out.
 */
final class SessionCheckUnavailable extends RuntimeException {

    SessionCheckUnavailable(Throwable cause) {
        super("the session check failed: " + cause, cause, false, false);
    }
}
