/**
 * Brute-force protection for everything that checks a password: failed attempts are counted per
 * account and per client address in Redis (fixed windows), and once a limit is reached the check is
 * refused with 429 and {@code Retry-After} before the password is even looked at.
 */
package io.barrage.user.attempts;
