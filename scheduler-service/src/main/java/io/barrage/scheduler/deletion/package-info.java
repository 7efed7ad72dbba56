/**
 * Deferred deletion: the {@code video_deletion} ledger fed by {@code video.events}, the purge job that
 * removes a video's object and then its row once the grace period is over, and the internal API listing
 * the ledger.
 */
package io.barrage.scheduler.deletion;
