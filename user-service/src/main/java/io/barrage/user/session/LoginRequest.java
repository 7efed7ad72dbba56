package io.barrage.user.session;

record LoginRequest(String username, String password) {}
