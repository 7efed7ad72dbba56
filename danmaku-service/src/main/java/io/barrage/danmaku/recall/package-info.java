/**
 * Recall: the sender takes back their own danmaku within a short window after sending it, a few times a day;
 * it leaves every viewer's screen through the same {@code DanmakuDeleted} tombstone a delete publishes.
 */
package io.barrage.danmaku.recall;
