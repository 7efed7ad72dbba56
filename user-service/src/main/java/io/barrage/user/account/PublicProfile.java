package io.barrage.user.account;

/** What anyone (and any service) may see about a user; {@code avatarUrl} may be null. */
public record PublicProfile(long id, String username, String displayName, String avatarUrl) {}
