package io.barrage.user.account;

/** Body of {@code PUT /api/v1/users/me/password}. */
record PasswordChange(String currentPassword, String newPassword) {}
