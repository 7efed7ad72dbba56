/**
 * What danmaku-service needs to know about videos (does it exist, is it ready, how long is it), asked of
 * video-service over its internal API behind a circuit breaker and a short cache.
 */
package io.barrage.danmaku.video;
