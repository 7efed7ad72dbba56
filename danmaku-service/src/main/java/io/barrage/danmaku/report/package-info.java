/**
 * Reports: a viewer reports a danmaku once, with a reason (spam, abuse, spoiler, off-topic, other), within a
 * per-user rate limit; each reported danmaku is one case in the moderation queue, ordered by how many
 * reported it. The moderation team works the queue through the internal API: resolve (dismiss) or delete
 * (unless the video's owner protected the danmaku).
 */
package io.barrage.danmaku.report;
