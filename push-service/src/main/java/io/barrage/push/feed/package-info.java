/** The live feed: reads {@code danmaku.events} and hands each danmaku to its room. */
package io.barrage.push.feed;
