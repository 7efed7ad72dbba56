/**
 * Cross-cutting HTTP concerns: request ids, the trusted caller identity, and the problem+json error
 * mapping with stable {@code code}s.
 */
package io.barrage.danmaku.web;
