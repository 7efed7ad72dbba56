package io.barrage.user.session;

record Introspection(long userId, String username) {}
