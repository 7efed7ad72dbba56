package io.barrage.video.playback;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code barrage.video.*} for playback.
 *
 * @param streamMode {@code proxy} (the bytes flow through this service; the local default) or
 *     {@code redirect} (302 to a presigned URL of the S3 store, so the bytes never cross the JVMs)
 * @param presignExpiry how long a redirect URL stays valid
 * @param signedPlaylistWindow how long a rung playlist, once its segment URLs are signed, is served again
 *     as is (capped at half of {@code presignExpiry}); 0 signs on every request
 * @param signedPlaylists how many signed rung playlists are kept (the least recently used go first)
 * @param publishedLadders how many complete ladders (published rungs and master playlist) are kept in
 *     memory (the least recently used go first)
 * @param masterMaxAge how long a browser or a CDN may reuse the master playlist of a complete ladder (it
 *     lists rung playlists by relative URI and signs nothing; a growing ladder's is revalidated every time)
 * @param streamsPerClient concurrent proxied streams per user (or per client IP for anonymous viewers)
 * @param streamSlotTtl a safety net: a slot counter no stream touched for this long expires, so slots
 *     held by an instance that died are given back
 * @param streamRetryAfter what {@code Retry-After} tells a client that has too many streams
 */
@ConfigurationProperties("barrage.video")
record PlaybackProperties(
        @DefaultValue("proxy") StreamMode streamMode,
        @DefaultValue("5m") Duration presignExpiry,
        @DefaultValue("1m") Duration signedPlaylistWindow,
        @DefaultValue("512") int signedPlaylists,
        @DefaultValue("4096") int publishedLadders,
        @DefaultValue("1m") Duration masterMaxAge,
        @DefaultValue("4") int streamsPerClient,
        @DefaultValue("10m") Duration streamSlotTtl,
        @DefaultValue("2s") Duration streamRetryAfter) {

    enum StreamMode {
        PROXY,
        REDIRECT
    }
}
