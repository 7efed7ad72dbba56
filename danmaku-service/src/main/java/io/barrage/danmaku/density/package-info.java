/**
 * The density curve and its labelled hot moments: danmaku per 5-second playback bucket, changed in the
 * persister's transaction by exactly the rows it inserted or removed from {@code danmaku.events}, served
 * cache-aside from Redis like history; peaks found on the curve and labelled with their most frequent
 * words and character n-grams, as JSON and WebVTT chapters.
 */
package io.barrage.danmaku.density;
