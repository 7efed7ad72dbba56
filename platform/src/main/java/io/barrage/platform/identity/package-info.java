/**
 * The user the gateway vouches for: {@code X-User-Id}, believed only next to the service credential, so
 * a caller that bypasses the gateway cannot claim to be somebody. Controllers take a
 * {@link io.barrage.platform.identity.CurrentUser} parameter (required) or {@code Optional<CurrentUser>}.
 */
@NullMarked
package io.barrage.platform.identity;

import org.jspecify.annotations.NullMarked;
