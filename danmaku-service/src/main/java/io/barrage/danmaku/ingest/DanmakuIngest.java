package io.barrage.danmaku.ingest;

import io.barrage.danmaku.uploader.ClosedVideos;
import io.barrage.danmaku.video.VideoDirectory;
import io.barrage.danmaku.video.VideoInfo;
import io.barrage.platform.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.springframework.stereotype.Service;

/**
 * Turns a valid request into an acknowledged event: replay by Idempotency-Key, the content rules, the
 * banned words, the video, then the {@link Sequencer}, which checks the rate limits (for its whole batch at
 * once), gives the seq and publishes. Cheap local checks come first so a refused request costs nothing
 * remote and takes no token.
 */
@Service
public class DanmakuIngest {

    private final VideoDirectory videos;
    private final SnowflakeIds ids;
    private final Sequencer sequencer;
    private final BannedWords bannedWords;
    private final IdempotencyStore idempotency;
    private final long maxPlaybackMs;
    private final ClosedVideos closedVideos;

    DanmakuIngest(
            VideoDirectory videos,
            SnowflakeIds ids,
            Sequencer sequencer,
            BannedWords bannedWords,
            IdempotencyStore idempotency,
            PlaybackProperties playback,
            ClosedVideos closedVideos) {
        this.closedVideos = closedVideos;
        this.videos = videos;
        this.ids = ids;
        this.sequencer = sequencer;
        this.bannedWords = bannedWords;
        this.idempotency = idempotency;
        this.maxPlaybackMs = playback.max().toMillis();
    }

    /** The outcome of a POST: the danmaku, and whether it is the stored result of an earlier identical POST. */
    public record Outcome(Danmaku danmaku, boolean replayed) {}

    public Outcome create(long videoId, long senderId, NewDanmaku request, String idempotencyKey) {
        if (idempotencyKey == null) {
            return new Outcome(createOnce(videoId, senderId, request), false);
        }
        IdempotencyStore.checkKey(idempotencyKey);
        IdempotencyStore.Claim claim = idempotency.claim(senderId, idempotencyKey, fingerprint(videoId, request));
        return switch (claim) {
            case IdempotencyStore.Replay replay -> new Outcome(replay.danmaku(), true);
            case IdempotencyStore.Unchecked unchecked -> new Outcome(createOnce(videoId, senderId, request), false);
            case IdempotencyStore.Fresh fresh -> {
                Danmaku danmaku;
                try {
                    danmaku = createOnce(videoId, senderId, request);
                } catch (RuntimeException e) {
                    idempotency.release(fresh);
                    throw e;
                }
                idempotency.complete(fresh, danmaku);
                yield new Outcome(danmaku, false);
            }
        };
    }

    private Danmaku createOnce(long videoId, long senderId, NewDanmaku request) {
        DanmakuRules.Checked checked = DanmakuRules.check(request);
        if (bannedWords.find(checked.text()) != null) {
            throw ApiException.badRequest("banned-word", "The text contains a word that is not allowed.");
        }
        VideoInfo video = videos.readyVideo(videoId);
        closedVideos.checkOpen(videoId);
        DanmakuRules.checkPlayback(checked.playbackMs(), video.durationMs(), maxPlaybackMs);
        return sequencer.publishNext(
                videoId,
                senderId,
                seq -> new Danmaku(
                        Long.toString(ids.next()),
                        videoId,
                        seq,
                        senderId,
                        checked.text(),
                        checked.playbackMs(),
                        checked.mode(),
                        checked.color(),
                        checked.size(),
                        Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    }

    /** Same key with a different body is a client bug, not a retry. */
    private static String fingerprint(long videoId, NewDanmaku r) {
        String canonical = videoId + "\u0000" + r.text() + "\u0000" + r.playbackMs() + "\u0000" + r.mode() + "\u0000"
                + r.color() + "\u0000" + r.size();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
