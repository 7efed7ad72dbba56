/**
 * Playback: streaming a stored video with HTTP range requests and conditional GETs, straight from the
 * bucket's ranged reads to the response, a small buffer at a time.
 */
package io.barrage.video.playback;
