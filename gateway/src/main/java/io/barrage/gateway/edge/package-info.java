/**
 * Edge hygiene for every request on the public port: request ids, removal of identity and credential
 * headers a client must not set, refusal of {@code /internal/**}, {@code /actuator/**} and path tricks,
 * and problem+json for the gateway's own errors.
 */
package io.barrage.gateway.edge;
