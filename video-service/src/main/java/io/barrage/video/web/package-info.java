/**
 * Cross-cutting web plumbing: request ids, the service credential, the trusted caller identity and the
 * mapping of every failure to an RFC 9457 problem with a stable {@code code}.
 */
package io.barrage.video.web;
