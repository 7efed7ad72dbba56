package io.barrage.user.account;

/** What anyone (and any service) may see about a user. */
public record PublicProfile(long id, String username, String displayName) {}
