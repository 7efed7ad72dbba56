package io.barrage.user.session;

/** Published on {@code user.events} (key userId) when a session ends, so caches of it can drop it. */
record SessionRevoked(String type, int version, String tokenHash, long userId) {

    static SessionRevoked of(String tokenHash, long userId) {
        return new SessionRevoked("SessionRevoked", 1, tokenHash, userId);
    }
}
