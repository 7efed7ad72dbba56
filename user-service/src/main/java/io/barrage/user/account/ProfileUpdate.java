package io.barrage.user.account;

/**
 * Body of {@code PATCH /api/v1/users/me}: a null (or absent) field is left as it is; an empty
 * {@code avatarUrl} removes the avatar.
 */
record ProfileUpdate(String displayName, String avatarUrl) {}
