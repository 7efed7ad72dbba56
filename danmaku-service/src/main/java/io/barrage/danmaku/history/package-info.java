/**
 * Danmaku history: the idempotent consumer that persists {@code danmaku.events} into MySQL, and the
 * read API over playback windows.
 */
package io.barrage.danmaku.history;
