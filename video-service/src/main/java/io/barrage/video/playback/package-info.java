/**
 * Playback: streaming a stored video with HTTP range requests and conditional GETs, straight from the
 * bucket's ranged reads to the response, a small buffer at a time (proxy mode), or a 302 to a presigned
 * URL of the S3 store (redirect mode); the per-client limit of concurrent streams, counted in Redis;
 * thumbnails with a placeholder where none could be made; and the HLS playlists (a complete ladder's
 * listing kept in memory, rung playlists kept signed for a window).
 */
package io.barrage.video.playback;
