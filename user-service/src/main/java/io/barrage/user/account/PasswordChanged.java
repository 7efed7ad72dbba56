package io.barrage.user.account;

/**
 * Published (synchronously, inside the password change's transaction) when a password changes, so the
 * sessions feature can end every other session of the user.
 *
 * @param keepTokenHash the SHA-256 of the token the change was made with, which stays valid; null if none
 */
public record PasswordChanged(long userId, String keepTokenHash) {}
