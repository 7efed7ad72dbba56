/**
 * The plumbing every Barrage service shares, as conditional auto-configurations: problem+json errors
 * ({@code problem}), request ids ({@code requestid}), the service credential ({@code credential}), the
 * identity the gateway vouches for ({@code identity}), the Redis outage policy ({@code redis}) and the rule
 * for untrusted text ({@code text}). Plumbing only: nothing here knows a video, a danmaku or a user's data.
 */
package io.barrage.platform;
