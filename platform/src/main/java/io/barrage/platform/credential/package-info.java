/**
 * The service credential: the shared token every service sends in {@code X-Service-Token} and checks on
 * {@code /internal/**} and before believing an identity header. A guessable token stops the start
 * ({@link io.barrage.platform.credential.ServiceTokenRule}).
 */
@NullMarked
package io.barrage.platform.credential;

import org.jspecify.annotations.NullMarked;
