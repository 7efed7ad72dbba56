/**
 * What a resuming viewer missed before this shard's ring begins: danmaku-service's history by seq, through
 * a Feign client with the service credential and a circuit breaker.
 */
package io.barrage.push.history;
