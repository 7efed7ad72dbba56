package io.barrage.video.playback;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Rung playlists with their segment URLs presigned, kept for a window well inside the signatures'
 * lifetime: signing every segment of a long rung on every request (one HMAC chain per URL, plus reading
 * the playlist from the store) cost more than the segments' delivery it saves. A playlist served from here
 * is at most {@code window} old, so its URLs stay valid for at least {@code expiry - window}. The caller
 * keys an entry by the video row's version as well, so a ladder made again is never served from an older
 * signing. Bounded: the least recently used playlist goes first.
 */
final class SignedPlaylists {

    private record Signed(byte[] body, long signedAt) {}

    private final long windowNanos;
    private final Map<String, Signed> entries;

    /** {@code window} is capped at half of {@code expiry}: a cached URL always has half its life left. */
    SignedPlaylists(Duration window, Duration expiry, int maxEntries) {
        this.windowNanos = Math.max(0, Math.min(window.toNanos(), expiry.toNanos() / 2));
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Signed> eldest) {
                return size() > Math.max(0, maxEntries);
            }
        };
    }

    /** The playlist signed within the window, or a freshly signed one (signed outside the lock). */
    byte[] get(String key, Supplier<byte[]> sign) {
        long now = System.nanoTime();
        synchronized (entries) {
            Signed entry = entries.get(key);
            if (entry != null && now - entry.signedAt() < windowNanos) {
                return entry.body();
            }
        }
        byte[] body = sign.get();
        if (windowNanos > 0) {
            synchronized (entries) {
                entries.put(key, new Signed(body, now));
            }
        }
        return body;
    }
}
