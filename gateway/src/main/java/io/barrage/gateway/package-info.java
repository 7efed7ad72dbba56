/**
 * The gateway: the only public door. Routes live in {@code application.yml}; the sub-packages hold
 * what the gateway does to every request on the way through.
 */
package io.barrage.gateway;
