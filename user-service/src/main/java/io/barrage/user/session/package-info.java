/**
 * Sessions: login issues an opaque token whose SHA-256 is the Redis key {@code session:{hex}}, logout
 * deletes it and announces {@code SessionRevoked} on {@code user.events}, and the gateway introspects
 * tokens through the internal API.
 */
package io.barrage.user.session;
