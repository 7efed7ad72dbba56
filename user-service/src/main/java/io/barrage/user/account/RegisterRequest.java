package io.barrage.user.account;

/** Body of {@code POST /api/v1/users}; the server makes the id. */
record RegisterRequest(String username, String password, String displayName) {}
