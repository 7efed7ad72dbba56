/**
 * Redis as the services use it, an accelerator with a fallback: a dead Redis fails fast instead of holding
 * requests through Redisson's retries, and does not keep the service from starting.
 */
@NullMarked
package io.barrage.platform.redis;

import org.jspecify.annotations.NullMarked;
