package io.barrage.user.session;

record IntrospectRequest(String token) {}
