/**
 * What every endpoint of this service shares: request ids in the log context, the service credential
 * and trusted identity headers sent by the gateway, and problem+json errors with stable codes.
 */
package io.barrage.user.web;
