/**
 * Accounts: registration with username and password rules, BCrypt password hashes, and the profile
 * reads (own, public and internal). The {@code app_user} table lives here and nowhere else.
 */
package io.barrage.user.account;
