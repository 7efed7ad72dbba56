/**
 * Who is calling: the session token (bearer or cookie) is checked with user-service, and the verified
 * user travels on as {@code X-User-Id}/{@code X-User-Name} next to the service credential.
 */
package io.barrage.gateway.identity;
