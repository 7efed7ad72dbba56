package io.barrage.gateway.identity;

/** A user verified by user-service; the body of its introspection answer. */
record Identity(long userId, String username) {}
