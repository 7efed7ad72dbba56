package io.barrage.danmaku.web;

/**
 * The user a request acts for, as vouched for by the gateway. A controller parameter of this type makes
 * the endpoint require a user: the request is refused with 401 before its body is even read.
 */
public record CurrentUser(long id) {}
