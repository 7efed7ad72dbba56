/**
 * Sessions: login issues an opaque token; {@code user_session} in MariaDB is the durable record and
 * Redis {@code session:{sha256 hex}} the fast copy, both keyed by the token's hash only. Sliding and
 * absolute expiry, listing and revoking one's own sessions, logout, the end of all other sessions on a
 * password change, {@code SessionRevoked} on {@code user.events} for every revocation, and the
 * introspection the gateway calls.
 */
package io.barrage.user.session;
