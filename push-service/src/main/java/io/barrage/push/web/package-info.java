/** Cross-cutting HTTP concerns: request ids and problem+json errors with stable {@code code}s. */
package io.barrage.push.web;
