/**
 * Brute-force protection for everything that checks a password, without a lockout: failures are
 * counted per (account, client address), per address and per account in Redis, each counter making its
 * callers wait longer and longer past its free failures (429 with {@code Retry-After}, before the
 * password is looked at), and a device that has logged in to the account before is held only by its own
 * failures.
 */
package io.barrage.user.attempts;
