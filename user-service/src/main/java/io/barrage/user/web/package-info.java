/**
 * What this service's endpoints share beyond the platform's plumbing: where a session token travels
 * ({@link io.barrage.user.web.SessionTokens}), the client's address as the gateway passed it, and the
 * OpenAPI description of the service credential.
 */
package io.barrage.user.web;
