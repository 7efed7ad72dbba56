package io.barrage.video.transcode;

import io.barrage.video.catalog.Renditions;
import io.barrage.video.catalog.Video;
import io.barrage.video.catalog.VideoMapper;
import io.barrage.video.catalog.VideoStatus;
import io.barrage.video.storage.ObjectStore;
import io.barrage.video.upload.VideoUploadProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a video's HLS ladder (docs/architecture.md "Transcoding"). One job at a time per instance: claim
 * the job row, copy the source to local disk, ffprobe it (caps, not-a-video), then make every rung, the
 * storyboard and the poster in ONE ffmpeg (split + scale: the source is decoded once). The ladder is
 * published as it grows ({@link Growing}): each segment is stored as soon as ffmpeg lists it, then the
 * rung's playlist naming only stored segments, and the video is READY as soon as a viewer starting then
 * would not catch up with the conversion. A rung is complete once its playlist with its end is stored and
 * its {@code video_rendition} row is DONE, fenced by the job's lease, so neither a half-written segment nor
 * a stale worker's rung is ever listed.
 */
class TranscodeWorker {

    private static final Logger log = LoggerFactory.getLogger(TranscodeWorker.class);
    private static final String TS = "video/mp2t";
    private static final String M3U8 = "application/vnd.apple.mpegurl";
    private static final long RENEW_EVERY_NANOS = Duration.ofSeconds(2).toNanos();
    private static final String POSTER = "poster.jpg";
    private static final int POSTER_WIDTH = 320;

    private final TranscodeJobs jobs;
    private final VideoMapper videos;
    private final Renditions renditions;
    private final ObjectStore store;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final TranscodeProperties properties;
    private final String ffmpeg;
    private final String ffprobe;
    private final String worker;
    private final Semaphore busy = new Semaphore(1);

    TranscodeWorker(
            TranscodeJobs jobs,
            VideoMapper videos,
            Renditions renditions,
            ObjectStore store,
            JdbcTemplate jdbc,
            JsonMapper json,
            TranscodeProperties properties,
            VideoUploadProperties tools) {
        this.jobs = jobs;
        this.videos = videos;
        this.renditions = renditions;
        this.store = store;
        this.jdbc = jdbc;
        this.json = json;
        this.properties = properties;
        this.ffmpeg = tools.ffmpegPath();
        this.ffprobe = tools.ffprobePath();
        this.worker = hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String name() {
        return worker;
    }

    /** Runs the job if it can be claimed; {@code wait}: queue behind a running job instead of skipping. */
    void run(long videoId, boolean wait) {
        try {
            if (wait) {
                busy.acquire();
            } else if (!busy.tryAcquire()) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (!jobs.claim(videoId, worker, leaseSeconds())) {
                return; // done, cancelled, backing off, or another worker's
            }
            attempt(videoId);
        } finally {
            busy.release();
        }
    }

    /** The due jobs (retries, and jobs of workers that died), while this worker is idle. */
    void sweep() {
        try {
            for (long videoId : jobs.due(5)) {
                run(videoId, false);
            }
        } catch (RuntimeException e) {
            log.warn("transcode sweep failed", e);
        }
    }

    private void attempt(long videoId) {
        Path dir = properties.workDir().resolve(videoId + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir);
            transcode(videoId, dir);
        } catch (Cancelled e) {
            log.info("transcode of video {} stopped: {}", videoId, e.getMessage());
        } catch (TranscodeFailure e) {
            failed(videoId, e);
        } catch (IOException | RuntimeException e) {
            log.warn("transcode of video {} failed", videoId, e);
            failed(videoId, new TranscodeFailure("transcode-failed", "The video could not be converted.", false));
        } finally {
            deleteTree(dir);
        }
    }

    private void transcode(long videoId, Path dir) throws IOException, TranscodeFailure, Cancelled {
        Video video = videos.selectById(videoId);
        if (video == null || video.getStatus() == VideoStatus.DELETED || video.getObjectKey() == null) {
            jdbc.update(
                    "UPDATE transcode_job SET status = 'CANCELLED', lease_owner = NULL WHERE video_id = ?"
                            + " AND lease_owner = ?",
                    videoId,
                    worker);
            throw new Cancelled("the video is gone");
        }
        Path source = dir.resolve("source");
        store.download(video.getObjectKey(), source);
        MediaInfo info = probe(source, dir);
        check(info);
        List<Ladder.Rung> plan = Ladder.plan(info, properties.maxFps());
        if (plan.stream().anyMatch(Ladder.Rung::copy) && !keyframesFitSegments(videoId, source, dir, info)) {
            plan = Ladder.plan(info, properties.maxFps(), false);
        }
        for (Ladder.Rung rung : plan) {
            jdbc.update(
                    "INSERT IGNORE INTO video_rendition (video_id, name, height, width, state, percent, updated_at)"
                            + " VALUES (?, ?, ?, ?, 'QUEUED', 0, UTC_TIMESTAMP(3))",
                    videoId,
                    rung.name(),
                    rung.height(),
                    rung.width());
        }
        Set<String> done = renditions.of(videoId).stream()
                .filter(Renditions.Rendition::done)
                .map(Renditions.Rendition::name)
                .collect(Collectors.toSet());
        double seconds = Math.min(
                info.declaredSeconds() > 0 ? info.declaredSeconds() : info.packetSeconds(),
                properties.maxDuration().toSeconds());
        if (info.packetSeconds() > 0 && info.declaredSeconds() > info.packetSeconds() * 2 + 10) {
            // the container claims far more than its packets hold (the 136-year mvhd): trust the packets
            log.info(
                    "video {} declares {} s but its packets hold {} s",
                    videoId,
                    info.declaredSeconds(),
                    info.packetSeconds());
            seconds = info.packetSeconds();
        }
        Watch watch = new Watch(videoId);

        List<Ladder.Rung> todo =
                plan.stream().filter(r -> !done.contains(r.name())).toList();
        Video current = videos.selectById(videoId);
        Storyboard storyboard = info.hasVideo() && (current == null || !Boolean.TRUE.equals(current.getStoryboard()))
                ? Storyboard.of(seconds)
                : null;
        boolean posterNeeded = info.hasVideo() && !store.exists(ObjectStore.thumbnailKeyFor(videoId));
        // the ladder's ffmpeg decodes the source anyway: the poster is one more branch of it, not a process
        // and a decode of its own; a ladder that only remuxes decodes nothing, so the poster keeps its own run
        boolean posterBranch = posterNeeded && todo.stream().anyMatch(r -> !r.copy() && !r.audioOnly());
        if (posterNeeded && !posterBranch) {
            poster(videoId, source, dir, seconds, watch);
        }
        if (!todo.isEmpty() || storyboard != null) {
            Growing growing =
                    new Growing(videoId, todo, dir, info, seconds, watch, posterBranch ? dir.resolve(POSTER) : null);
            long decodedMicros = encode(
                    videoId,
                    source,
                    dir,
                    info,
                    todo,
                    storyboard,
                    posterBranch ? posterAt(seconds) : -1,
                    seconds,
                    watch,
                    growing);
            if (decodedMicros <= 0 && !todo.isEmpty()) {
                throw new TranscodeFailure("not-a-video", "No frame of the file could be decoded.", true);
            }
            if (posterBranch && !growing.posterStored()) {
                storePoster(videoId, dir.resolve(POSTER), "");
            }
            for (Ladder.Rung rung : todo) {
                publish(videoId, rung, dir, watch, growing);
            }
            if (!todo.isEmpty()) {
                // what the rungs hold (ffmpeg's own report runs to the storyboard sprite's end, past the video's)
                long durationMs = (growing.listedMicros() > 0 ? growing.listedMicros() : decodedMicros) / 1000;
                update(videoId, v -> {
                    v.setDurationMs(durationMs);
                    if (info.hasVideo()) {
                        v.setWidth(info.width());
                        v.setHeight(info.height());
                    }
                });
            }
            if (storyboard != null) {
                Path sprite = dir.resolve("storyboard").resolve(Storyboard.SPRITE);
                if (Files.isRegularFile(sprite) && Files.size(sprite) > 0) {
                    String prefix = "videos/" + videoId + "/storyboard/";
                    store.putFile(prefix + Storyboard.SPRITE, sprite, "image/jpeg");
                    store.put(prefix + Storyboard.VTT, storyboard.vtt().getBytes(StandardCharsets.UTF_8), "text/vtt");
                    watch.fence();
                    update(videoId, v -> v.setStoryboard(true));
                } else {
                    log.warn("ffmpeg made no storyboard sprite for video {}", videoId);
                }
            }
        }
        playable(videoId, info, null);
        if (!jobs.done(videoId, worker)) {
            throw new Cancelled("the job was cancelled or taken over before it finished");
        }
        update(videoId, v -> {
            v.setLadderState("DONE");
            v.setFailureReason(null);
            v.setFailureMessage(null);
        });
        log.info(
                "video {}: ladder {} done",
                videoId,
                plan.stream().map(Ladder.Rung::name).toList());
    }

    private MediaInfo probe(Path source, Path dir) throws IOException, TranscodeFailure {
        List<String> command = List.of(
                ffprobe,
                "-v",
                "error",
                "-protocol_whitelist",
                "file",
                "-count_packets",
                "-show_format",
                "-show_streams",
                "-of",
                "json",
                "file:" + source);
        Path out = dir.resolve("probe.json");
        Path err = dir.resolve("probe.err");
        Sandbox.Result result = Sandbox.run(
                Sandbox.wrap(command, properties.probeTimeout().toSeconds() + 5, memoryLimit(), properties.nice()),
                out,
                err,
                properties.probeTimeout(),
                () -> true,
                null,
                null);
        if (result.outcome() == Sandbox.Outcome.TIMED_OUT) {
            throw new TranscodeFailure("not-a-video", "The file took too long to read.", true);
        }
        if (result.outcome() != Sandbox.Outcome.OK) {
            throw new TranscodeFailure("not-a-video", "The file is not a readable video.", true);
        }
        try {
            return MediaInfo.parse(json.readTree(Files.readAllBytes(out)));
        } catch (RuntimeException e) {
            throw new TranscodeFailure("not-a-video", "The file is not a readable video.", true);
        }
    }

    /**
     * Whether the source has a keyframe at least once per segment over its first {@link
     * Keyframes#WINDOW_SECONDS} s, so that a remuxed rung is cut into segments of the configured length.
     * Demuxing only (no decode), time-bounded; when ffprobe cannot tell, the rung is encoded.
     */
    private boolean keyframesFitSegments(long videoId, Path source, Path dir, MediaInfo info) throws IOException {
        List<String> command = List.of(
                ffprobe,
                "-v",
                "error",
                "-protocol_whitelist",
                "file",
                "-select_streams",
                "v:0",
                "-read_intervals",
                "%+" + Keyframes.WINDOW_SECONDS,
                "-show_entries",
                "packet=pts_time,dts_time,flags",
                "-of",
                "csv=p=0",
                "file:" + source);
        Path out = dir.resolve("keyframes.csv");
        Sandbox.Result result = Sandbox.run(
                Sandbox.wrap(command, properties.probeTimeout().toSeconds() + 5, memoryLimit(), properties.nice()),
                out,
                dir.resolve("keyframes.err"),
                properties.probeTimeout(),
                () -> true,
                null,
                null);
        // ~25 bytes a packet: 4 MiB is 30 s at well over 1,000 packets a second, more than a real source has
        if (result.outcome() != Sandbox.Outcome.OK || Files.size(out) > 4 << 20) {
            log.info("video {}: keyframes unknown ({}), every rung is encoded", videoId, result.outcome());
            return false;
        }
        double gap = Keyframes.longestGap(
                Files.readString(out, StandardCharsets.UTF_8), info.fps() > 0 ? 1 / info.fps() : 0);
        // a hundredth of a second for the timestamps' rounding: a GOP of exactly one segment fits
        boolean fits = gap <= properties.segmentSeconds() + 0.01;
        if (!fits) {
            log.info(
                    "video {}: keyframes up to {} s apart, above the {} s segment: encoded, not remuxed",
                    videoId,
                    String.format(Locale.ROOT, "%.1f", gap),
                    properties.segmentSeconds());
        }
        return fits;
    }

    /** The caps; all permanent: a retry of the same bytes would fail the same way. */
    private void check(MediaInfo info) throws TranscodeFailure {
        if (!info.hasVideo() && !info.hasAudio()) {
            throw new TranscodeFailure("not-a-video", "The file has no video or audio stream.", true);
        }
        if (info.streams() > properties.maxStreams()) {
            throw new TranscodeFailure(
                    "too-many-streams",
                    "The file has " + info.streams() + " streams; at most " + properties.maxStreams()
                            + " are accepted.",
                    true);
        }
        if (info.hasVideo()) {
            if (info.width() <= 0 || info.height() <= 0 || info.videoPackets() == 0) {
                throw new TranscodeFailure(
                        "not-a-video", "The video stream holds no frames that can be decoded.", true);
            }
            if (info.width() > properties.maxWidth() || info.height() > properties.maxHeight()) {
                throw new TranscodeFailure(
                        "resolution-too-large",
                        "The frame is " + info.width() + "×" + info.height() + "; at most " + properties.maxWidth()
                                + "×" + properties.maxHeight() + " is accepted.",
                        true);
            }
            if (info.fps() > properties.maxFrameRate()) {
                throw new TranscodeFailure(
                        "frame-rate-too-high",
                        String.format(
                                Locale.ROOT,
                                "The video has %.0f frames per second; at most %d are accepted.",
                                info.fps(),
                                properties.maxFrameRate()),
                        true);
            }
        }
        double declared = info.declaredSeconds();
        double held = info.hasVideo() && info.packetSeconds() > 0 ? info.packetSeconds() : declared;
        if (Math.min(declared > 0 ? declared : held, held)
                > properties.maxDuration().toSeconds()) {
            throw new TranscodeFailure(
                    "duration-too-long",
                    "The video is longer than " + properties.maxDuration().toMinutes() + " minutes.",
                    true);
        }
    }

    /** Where the poster is taken: a tenth in, at most 10 s (past a black opening, if there is one). */
    private static double posterAt(double seconds) {
        return seconds > 0 ? Math.min(seconds / 10, 10.0) : 0;
    }

    private void poster(long videoId, Path source, Path dir, double seconds, Watch watch) throws IOException {
        Path jpeg = dir.resolve(POSTER);
        List<String> command = List.of(
                ffmpeg,
                "-nostdin",
                "-v",
                "error",
                "-protocol_whitelist",
                "file",
                "-ss",
                String.format(Locale.ROOT, "%.3f", posterAt(seconds)),
                "-i",
                "file:" + source,
                "-frames:v",
                "1",
                "-vf",
                "scale=" + POSTER_WIDTH + ":-2",
                "-update",
                "1",
                "-y",
                jpeg.toString());
        Sandbox.Result result = Sandbox.run(
                Sandbox.wrap(command, 30, memoryLimit(), properties.nice()),
                dir.resolve("poster.out"),
                dir.resolve("poster.err"),
                properties.probeTimeout(),
                watch,
                null,
                null);
        storePoster(videoId, jpeg, result.outcome() == Sandbox.Outcome.OK ? "" : result.stderrTail());
    }

    private void storePoster(long videoId, Path jpeg, String why) throws IOException {
        if (why.isEmpty() && Files.isRegularFile(jpeg) && Files.size(jpeg) > 0) {
            store.putFile(ObjectStore.thumbnailKeyFor(videoId), jpeg, "image/jpeg");
        } else {
            log.info("no poster for video {}: {}", videoId, why.isEmpty() ? "ffmpeg made no frame" : why);
        }
    }

    /**
     * One ffmpeg making {@code rungs} (and the storyboard sprite, and the poster at {@code posterAt} s when
     * that is not negative and a rung is scaled) from one decode of the source; returns the decoded time it
     * reached, in microseconds.
     */
    private long encode(
            long videoId,
            Path source,
            Path dir,
            MediaInfo info,
            List<Ladder.Rung> rungs,
            Storyboard storyboard,
            double posterAt,
            double seconds,
            Watch watch,
            Growing growing)
            throws IOException, TranscodeFailure, Cancelled {
        int segment = properties.segmentSeconds();
        List<String> command = new ArrayList<>(
                List.of(ffmpeg, "-nostdin", "-v", "error", "-protocol_whitelist", "file", "-i", "file:" + source));
        List<Ladder.Rung> scaled =
                rungs.stream().filter(r -> !r.copy() && !r.audioOnly()).toList();
        boolean poster = posterAt >= 0 && !scaled.isEmpty();
        int branches = scaled.size() + (storyboard == null ? 0 : 1) + (poster ? 1 : 0);
        double outputFps = outputFps(info);
        if (branches > 0) {
            StringBuilder graph = new StringBuilder("[0:v:0]");
            if (info.fps() > properties.maxFps()) {
                graph.append("fps=").append(properties.maxFps()).append(',');
            }
            graph.append("split=").append(branches);
            for (int i = 0; i < branches; i++) {
                graph.append("[b").append(i).append(']');
            }
            for (int i = 0; i < scaled.size(); i++) {
                Ladder.Rung rung = scaled.get(i);
                graph.append(";[b")
                        .append(i)
                        .append("]scale=")
                        .append(rung.width())
                        .append(':')
                        .append(rung.height())
                        .append(",setsar=1,format=yuv420p[v")
                        .append(i)
                        .append(']');
            }
            if (storyboard != null) {
                graph.append(";[b")
                        .append(scaled.size())
                        .append(']')
                        .append(storyboard.filter())
                        .append("[sb]");
            }
            if (poster) {
                // one frame at posterAt, then the branch ends (its EOF lets split feed the others alone)
                graph.append(";[b")
                        .append(branches - 1)
                        .append("]trim=start=")
                        .append(String.format(Locale.ROOT, "%.3f", posterAt))
                        .append(",trim=end_frame=1,scale=")
                        .append(POSTER_WIDTH)
                        .append(":-2[poster]");
            }
            command.add("-filter_complex");
            command.add(graph.toString());
        }
        Path progress = dir.resolve("progress-" + UUID.randomUUID() + ".txt");
        command.addAll(List.of("-progress", "file:" + progress, "-stats_period", "1"));
        String limit =
                String.format(Locale.ROOT, "%.3f", properties.maxDuration().toSeconds() + 1.0);
        for (Ladder.Rung rung : rungs) {
            Path out = dir.resolve("hls").resolve(rung.name());
            Files.createDirectories(out);
            if (rung.audioOnly()) {
                command.addAll(List.of("-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "128k", "-ac", "2"));
            } else if (rung.copy()) {
                command.addAll(List.of("-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"));
            } else {
                int gop = (int) Math.max(1, Math.round(outputFps * segment));
                command.addAll(List.of(
                        "-map",
                        "[v" + scaled.indexOf(rung) + "]",
                        "-map",
                        "0:a:0?",
                        "-c:v",
                        "libx264",
                        "-preset",
                        properties.preset(),
                        "-profile:v",
                        "high",
                        // stated, not left to x264: the master's CODECS says it without a probe
                        "-level:v",
                        H264Level.name(level(rung, outputFps)),
                        "-crf",
                        "23",
                        "-maxrate",
                        rung.maxrateKbps() + "k",
                        "-bufsize",
                        (rung.maxrateKbps() * 2) + "k",
                        "-g",
                        Integer.toString(gop),
                        "-keyint_min",
                        Integer.toString(gop),
                        "-sc_threshold",
                        "0",
                        "-force_key_frames",
                        "expr:gte(t,n_forced*" + segment + ")",
                        "-c:a",
                        "aac",
                        "-b:a",
                        "128k",
                        "-ac",
                        "2"));
            }
            command.addAll(List.of(
                    "-t",
                    limit,
                    "-f",
                    "hls",
                    "-hls_time",
                    Integer.toString(segment),
                    // rewritten after each segment, which is stored as soon as it is listed (Growing);
                    // temp_file: a segment and the playlist appear under their names only when complete
                    "-hls_playlist_type",
                    "event",
                    "-hls_flags",
                    "temp_file",
                    "-hls_segment_filename",
                    out.resolve("seg_%05d.ts").toString(),
                    "-y",
                    out.resolve("index.m3u8").toString()));
        }
        if (storyboard != null) {
            Path sprite = dir.resolve("storyboard");
            Files.createDirectories(sprite);
            command.addAll(List.of(
                    "-map",
                    "[sb]",
                    "-frames:v",
                    "1",
                    "-q:v",
                    "5",
                    "-update",
                    "1",
                    "-y",
                    sprite.resolve(Storyboard.SPRITE).toString()));
        }
        if (poster) {
            command.addAll(List.of(
                    "-map",
                    "[poster]",
                    "-frames:v",
                    "1",
                    "-update",
                    "1",
                    // written to a temporary file and renamed: the worker stores it while ffmpeg goes on
                    "-atomic_writing",
                    "1",
                    "-y",
                    dir.resolve(POSTER).toString()));
        }
        List<String> names = rungs.stream().map(Ladder.Rung::name).toList();
        long[] reached = {0};
        Duration wallClock =
                properties.timeBase().plus(properties.timePerSourceSecond().multipliedBy((long) Math.ceil(seconds)));
        long cpu = 60 + (long) Math.ceil(seconds * properties.cpuSecondsPerSourceSecond() * Math.max(1, rungs.size()));
        watch.progress(names, 0);
        Sandbox.Result result = Sandbox.run(
                Sandbox.wrap(command, cpu, memoryLimit(), properties.nice()),
                dir.resolve("ffmpeg.out"),
                dir.resolve("ffmpeg.err"),
                wallClock,
                watch,
                progress,
                micros -> {
                    growing.tick(micros);
                    // what ffmpeg reports, or (while it reports nothing) what its playlists list
                    long converted = Math.max(micros, growing.listedMicros());
                    reached[0] = Math.max(reached[0], converted);
                    int percent = seconds > 0 ? (int) Math.min(99, converted / 10_000 / seconds) : 0;
                    watch.progress(names, percent);
                });
        switch (result.outcome()) {
            case OK -> {}
            case CANCELLED -> throw new Cancelled("cancelled while ffmpeg ran");
            case TIMED_OUT ->
                throw new TranscodeFailure(
                        "transcode-timeout", "Converting the video took longer than allowed.", false);
            case FAILED -> {
                log.info("ffmpeg failed on video {} ({}): {}", videoId, result.exitCode(), result.stderrTail());
                throw new TranscodeFailure("transcode-failed", "The video could not be converted.", false);
            }
        }
        return reached[0];
    }

    /**
     * Stores what is left of a finished rung (segments first, the playlist with its end last), then marks
     * it DONE under the lease.
     */
    private void publish(long videoId, Ladder.Rung rung, Path dir, Watch watch, Growing growing)
            throws IOException, TranscodeFailure, Cancelled {
        Path playlist = dir.resolve("hls").resolve(rung.name()).resolve("index.m3u8");
        if (!Files.isRegularFile(playlist)) {
            throw new TranscodeFailure("transcode-failed", "ffmpeg made no playlist for " + rung.name() + ".", false);
        }
        String text = Files.readString(playlist, StandardCharsets.UTF_8);
        List<RungPlaylist.Segment> segments = growing.segments(text);
        if (segments.isEmpty() || !RungPlaylist.ended(text)) {
            throw new TranscodeFailure("not-a-video", "No frame of the file could be decoded.", true);
        }
        growing.store(rung, segments);
        long[] bandwidth = bandwidth(dir.resolve("hls").resolve(rung.name()), segments);
        String codecs = growing.codecs(rung);
        String prefix = "videos/" + videoId + "/hls/" + rung.name() + "/";
        store.put(
                prefix + "index.m3u8",
                RungPlaylist.of(segments, properties.segmentSeconds(), true).getBytes(StandardCharsets.UTF_8),
                M3U8);
        mark(videoId, rung, "DONE", bandwidth[0], bandwidth[1], codecs);
        // the master playlist is made from the published rows; the cached row says nothing about rungs
        log.info("video {}: rung {} published ({} segments)", videoId, rung.name(), segments.size());
    }

    /**
     * Lists a rung in the master ({@code GROWING}: it stays as it is when already DONE) or completes it
     * ({@code DONE}, 100 %), with what the master says of it; fenced by the job's lease.
     */
    private void mark(long videoId, Ladder.Rung rung, String state, long bandwidth, long average, String codecs)
            throws Cancelled {
        boolean done = "DONE".equals(state);
        int marked = jdbc.update(
                "UPDATE video_rendition r JOIN transcode_job j ON j.video_id = r.video_id"
                        + " SET r.state = ?, r.percent = IF(?, 100, r.percent), r.bandwidth = ?,"
                        + " r.average_bandwidth = ?, r.codecs = ?, r.updated_at = UTC_TIMESTAMP(3)"
                        + " WHERE r.video_id = ? AND r.name = ? AND (? OR r.state <> 'DONE') AND j.lease_owner = ?"
                        + " AND j.status = 'RUNNING'",
                state,
                done,
                bandwidth,
                average,
                codecs,
                videoId,
                rung.name(),
                done,
                worker);
        if (marked != 1) {
            throw new Cancelled("lost the job before marking " + rung.name() + " " + state);
        }
    }

    /** BANDWIDTH (the peak segment's rate, or the average if higher) and AVERAGE-BANDWIDTH, in bit/s. */
    private static long[] bandwidth(Path folder, List<RungPlaylist.Segment> segments) throws IOException {
        double totalSeconds = 0;
        long totalBytes = 0;
        double peak = 0;
        for (RungPlaylist.Segment segment : segments) {
            long size = Files.size(folder.resolve(segment.name()));
            totalSeconds += segment.seconds();
            totalBytes += size;
            if (segment.seconds() > 0.5) {
                peak = Math.max(peak, size * 8 / segment.seconds());
            }
        }
        long average = totalSeconds > 0 ? (long) Math.ceil(totalBytes * 8 / totalSeconds) : 0;
        return new long[] {Math.max(1, Math.max(average, (long) Math.ceil(peak))), Math.max(1, average)};
    }

    /**
     * The video plays from now on: READY, with {@code durationMs} when it is given (the probed duration
     * while the ladder is made; the decode sets the exact one at its end).
     */
    private void playable(long videoId, MediaInfo info, Long durationMs) {
        update(videoId, v -> {
            if (v.getStatus() != VideoStatus.PROCESSING) {
                return;
            }
            v.setStatus(VideoStatus.READY);
            if (durationMs != null) {
                v.setDurationMs(durationMs);
            }
            if (info.hasVideo()) {
                v.setWidth(info.width());
                v.setHeight(info.height());
            }
        });
    }

    /**
     * RFC 6381 codec strings of a rung: an encoded rung is High profile at the level it is encoded at
     * ({@link H264Level}) with AAC-LC; a remuxed one has the source's own profile and level.
     */
    private String codecs(Ladder.Rung rung, MediaInfo info, double fps) {
        List<String> codecs = new ArrayList<>();
        if (rung.copy()) {
            codecs.add(avc1(info.videoProfile(), info.videoLevel() > 0 ? info.videoLevel() : 40));
            if (info.hasAudio()) {
                codecs.add(aac(info.audioProfile()));
            }
        } else if (rung.audioOnly()) {
            codecs.add("mp4a.40.2");
        } else {
            codecs.add(avc1("High", level(rung, fps)));
            if (info.hasAudio()) {
                codecs.add("mp4a.40.2");
            }
        }
        return String.join(",", codecs);
    }

    static String aac(String profile) {
        return profile.startsWith("HE-AACv2") ? "mp4a.40.29" : profile.startsWith("HE") ? "mp4a.40.5" : "mp4a.40.2";
    }

    private int level(Ladder.Rung rung, double fps) {
        return H264Level.of(
                rung.width(), rung.height(), fps, rung.maxrateKbps(), H264Level.frames(properties.preset()));
    }

    private double outputFps(MediaInfo info) {
        return Math.min(properties.maxFps(), info.fps() > 0 ? info.fps() : 25);
    }

    static String avc1(String profile, int level) {
        String p = switch (profile) {
            case "Constrained Baseline" -> "42E0";
            case "Baseline" -> "4200";
            case "Main" -> "4D40";
            case "High 10" -> "6E00";
            default -> "6400";
        };
        return "avc1." + p
                + String.format(Locale.ROOT, "%02X", Math.max(0, Math.min(255, level)))
                        .toLowerCase(Locale.ROOT);
    }

    private void failed(long videoId, TranscodeFailure failure) {
        int attempts = jobs.attempts(videoId);
        if (!failure.permanent() && attempts < properties.maxAttempts()) {
            long backoff = properties.backoff().toSeconds() << Math.min(10, Math.max(0, attempts - 1));
            if (jobs.retryLater(videoId, worker, backoff, failure.reason(), failure.getMessage())) {
                log.info(
                        "video {}: attempt {} failed ({}); again in {} s",
                        videoId,
                        attempts,
                        failure.reason(),
                        backoff);
            }
            return;
        }
        if (!jobs.failed(videoId, worker, failure.reason(), failure.getMessage())) {
            return; // cancelled or taken over meanwhile: not ours to report
        }
        List<Renditions.Rendition> rungs = renditions.of(videoId);
        boolean playable = rungs.stream().anyMatch(Renditions.Rendition::done);
        log.info("video {}: transcoding FAILED ({}) after {} attempts", videoId, failure.reason(), attempts);
        if (playable) {
            // what is published stays; the rest goes
            for (Renditions.Rendition rung : rungs) {
                if (!rung.done()) {
                    store.removePrefixQuietly("videos/" + videoId + "/hls/" + rung.name() + "/");
                }
            }
            jdbc.update("UPDATE video_rendition SET state = 'FAILED' WHERE video_id = ? AND state <> 'DONE'", videoId);
            update(videoId, v -> {
                v.setLadderState("FAILED");
                v.setFailureReason(failure.reason());
                v.setFailureMessage(failure.getMessage());
            });
            return;
        }
        // nothing playable: a terminal FAILED row that tells the owner why. A source that can never work
        // (not a video, past a cap) leaves no object behind; after transient failures the original stays
        // (the row points at it, the purge removes it) so that an operator can retry the job.
        jdbc.update("DELETE FROM video_rendition WHERE video_id = ?", videoId);
        if (failure.permanent()) {
            store.removePrefixQuietly("videos/" + videoId + "/");
        } else {
            store.removePrefixQuietly("videos/" + videoId + "/hls/");
            store.removePrefixQuietly("videos/" + videoId + "/storyboard/");
        }
        update(videoId, v -> {
            if (v.getStatus() == VideoStatus.PROCESSING || v.getStatus() == VideoStatus.READY) {
                v.setStatus(VideoStatus.FAILED);
            }

            v.setLadderState("FAILED");
            v.setFailureReason(failure.reason());
            v.setFailureMessage(failure.getMessage());
        });
        if (failure.permanent()) {
            // NULL: the entity update skips null fields; through the mapper so the cached row is dropped
            videos.update(
                    null,
                    new com.baomidou.mybatisplus.core.conditions.update.UpdateWrapper<Video>()
                            .set("object_key", null)
                            .eq("id", videoId));
        }
    }

    /** Read, change, write with the row's version; a concurrent edit (a title) makes it read again. */
    private void update(long videoId, Consumer<Video> change) {
        for (int attempt = 0; attempt < 10; attempt++) {
            Video video = videos.selectById(videoId);
            if (video == null) {
                return;
            }
            change.accept(video);
            video.setUpdatedAt(LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS));
            if (videos.updateById(video) == 1) {
                return;
            }
        }
        throw new IllegalStateException("video " + videoId + " kept changing");
    }

    private long leaseSeconds() {
        return Math.max(1, properties.lease().toSeconds());
    }

    private long memoryLimit() {
        return properties.memoryLimit().toBytes();
    }

    /**
     * Publishes the ladder while ffmpeg makes it: each segment is stored as soon as ffmpeg lists it, then
     * the rung's playlist naming the stored ones (never fewer than a previous attempt published), and the
     * rung is listed in the master ({@code GROWING}) from its first segment, with its codecs (known from
     * the level it is encoded at, or the source's). The video becomes READY once every rung is listed and a viewer who starts now would never
     * catch up with the conversion: at once when ffmpeg runs faster than playback, otherwise when what is
     * converted covers the difference (converted ≥ duration × (1 − speed)).
     */
    private final class Growing {
        private final long videoId;
        private final List<Ladder.Rung> rungs;
        private final Path dir;
        private final MediaInfo info;
        private final double seconds;
        private final Watch watch;
        private final long started = System.nanoTime();
        /** Per rung: segments stored by this attempt, and the count the stored playlist names. */
        private final Map<String, Integer> stored = new HashMap<>();

        private final Map<String, Integer> listed = new HashMap<>();
        /** The rungs this attempt has listed in the master. */
        private final Set<String> shown = new HashSet<>();

        /** Per rung: the seconds ffmpeg's playlist lists. */
        private final Map<String, Double> made = new HashMap<>();
        /** The poster ffmpeg writes (atomically) early in the run, stored once it is there; null: none. */
        private final Path poster;

        private boolean posterStored;
        private boolean ready;
        private boolean lost;

        Growing(
                long videoId,
                List<Ladder.Rung> rungs,
                Path dir,
                MediaInfo info,
                double seconds,
                Watch watch,
                Path poster)
                throws IOException {
            this.poster = poster;
            this.videoId = videoId;
            this.rungs = rungs;
            this.dir = dir;
            this.info = info;
            this.seconds = seconds;
            this.watch = watch;
            for (Ladder.Rung rung : rungs) {
                stored.put(rung.name(), 0);
                // a previous attempt's playlist: a viewer may hold it, so it only ever grows
                listed.put(rung.name(), previouslyListed(rung));
            }
        }

        private int previouslyListed(Ladder.Rung rung) throws IOException {
            var object = store.find(prefix(rung) + "index.m3u8");
            if (object.isEmpty()) {
                return 0;
            }
            try (var body = object.get().body()) {
                return RungPlaylist.parse(new String(body.readNBytes(4 << 20), StandardCharsets.UTF_8))
                        .size();
            } catch (IllegalArgumentException e) {
                return 0;
            }
        }

        /** Called about twice a second while ffmpeg runs, with how far it has converted. */
        void tick(long micros) {
            if (lost) {
                return; // the watch kills ffmpeg at its next look
            }
            try {
                for (Ladder.Rung rung : rungs) {
                    Path local = dir.resolve("hls").resolve(rung.name()).resolve("index.m3u8");
                    if (Files.isRegularFile(local)) {
                        grow(rung, segments(Files.readString(local, StandardCharsets.UTF_8)));
                    }
                }
                // the listings show the video's poster long before a long video's ladder is done
                if (poster != null && !posterStored && Files.isRegularFile(poster) && Files.size(poster) > 0) {
                    storePoster(videoId, poster, "");
                    posterStored = true;
                }
                long converted = Math.max(micros, listedMicros());
                if (!ready && !lost && shown.size() == rungs.size() && caughtUp(converted)) {
                    ready = true;
                    playable(videoId, info, Math.round(seconds * 1000));
                    log.info(
                            "video {}: playable while its ladder is made ({} s of {} s converted)",
                            videoId,
                            converted / 1_000_000,
                            Math.round(seconds));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (TranscodeFailure e) {
                throw new IllegalStateException(e.getMessage(), e);
            } catch (Cancelled e) {
                lost = true;
            }
        }

        boolean posterStored() {
            return posterStored;
        }

        /** How far every rung's playlist reaches, in microseconds (0 before each has a segment). */
        long listedMicros() {
            if (made.size() < rungs.size()) {
                return 0;
            }
            return (long) (made.values().stream()
                            .mapToDouble(Double::doubleValue)
                            .min()
                            .orElse(0)
                    * 1e6);
        }

        private boolean caughtUp(long micros) {
            double converted = micros / 1e6;
            double elapsed = (System.nanoTime() - started) / 1e9;
            if (converted <= 0 || elapsed <= 0) {
                return false;
            }
            double speed = converted / elapsed;
            return speed >= 1 || converted >= seconds * (1 - speed);
        }

        private void grow(Ladder.Rung rung, List<RungPlaylist.Segment> segments)
                throws IOException, TranscodeFailure, Cancelled {
            if (segments.isEmpty()) {
                return;
            }
            made.put(
                    rung.name(),
                    segments.stream().mapToDouble(RungPlaylist.Segment::seconds).sum());
            store(rung, segments);
            if (!shown.contains(rung.name())) {
                list(rung, segments);
            }
            if (segments.size() > listed.get(rung.name())) {
                store.put(
                        prefix(rung) + "index.m3u8",
                        RungPlaylist.of(segments, properties.segmentSeconds(), false)
                                .getBytes(StandardCharsets.UTF_8),
                        M3U8);
                listed.put(rung.name(), segments.size());
            }
        }

        /** The rung joins the master: GROWING, with its codecs and an estimated bandwidth. */
        private void list(Ladder.Rung rung, List<RungPlaylist.Segment> segments)
                throws IOException, TranscodeFailure, Cancelled {
            String found = codecs(rung);
            long[] measured = bandwidth(dir.resolve("hls").resolve(rung.name()), segments);
            // the rate the encoder is held to (plus audio and the transport stream's ~10 %), until the
            // whole rung is measured; a remuxed rung has only what its segments so far say
            long cap = rung.copy() || rung.audioOnly() ? 0 : (rung.maxrateKbps() + 128L) * 1100;
            mark(videoId, rung, "GROWING", Math.max(measured[0], cap), measured[1], found);
            shown.add(rung.name());
        }

        List<RungPlaylist.Segment> segments(String playlist) throws TranscodeFailure {
            try {
                return RungPlaylist.parse(playlist);
            } catch (IllegalArgumentException e) {
                throw new TranscodeFailure("transcode-failed", "ffmpeg wrote an unexpected playlist.", false);
            }
        }

        /** Stores the segments this attempt has not stored yet. */
        void store(Ladder.Rung rung, List<RungPlaylist.Segment> segments) throws IOException, Cancelled {
            Path folder = dir.resolve("hls").resolve(rung.name());
            for (int i = stored.get(rung.name()); i < segments.size(); i++) {
                store.putFile(
                        prefix(rung) + segments.get(i).name(),
                        folder.resolve(segments.get(i).name()),
                        TS);
                stored.put(rung.name(), i + 1);
                watch.check();
            }
        }

        String codecs(Ladder.Rung rung) {
            return TranscodeWorker.this.codecs(rung, info, outputFps(info));
        }

        private String prefix(Ladder.Rung rung) {
            return "videos/" + videoId + "/hls/" + rung.name() + "/";
        }
    }

    /** Renews the lease while ffmpeg runs; a lost lease (cancelled, taken over) kills ffmpeg. */
    private final class Watch implements Sandbox.Watch {
        private final long videoId;
        private long lastRenewal = System.nanoTime();
        private List<String> names = List.of();
        private int percent;

        Watch(long videoId) {
            this.videoId = videoId;
        }

        void progress(List<String> rungs, int value) {
            this.names = rungs;
            this.percent = value;
        }

        @Override
        public boolean keepGoing() {
            if (System.nanoTime() - lastRenewal < RENEW_EVERY_NANOS) {
                return true;
            }
            lastRenewal = System.nanoTime();
            if (!jobs.renew(videoId, worker, leaseSeconds())) {
                return false;
            }
            if (!names.isEmpty()) {
                String in = names.stream().map(n -> "?").collect(Collectors.joining(","));
                List<Object> args = new ArrayList<>();
                args.add(percent);
                args.add(videoId);
                args.addAll(names);
                // a rung that is already listed (GROWING) stays listed
                jdbc.update(
                        "UPDATE video_rendition SET state = IF(state = 'GROWING', 'GROWING', 'RUNNING'), percent = ?,"
                                + " updated_at = UTC_TIMESTAMP(3)"
                                + " WHERE video_id = ? AND state <> 'DONE' AND name IN (" + in + ")",
                        args.toArray());
            }
            return true;
        }

        void check() throws Cancelled {
            if (!keepGoing()) {
                throw new Cancelled("the job was cancelled or taken over");
            }
        }

        void fence() throws Cancelled {
            if (!jobs.renew(videoId, worker, leaseSeconds())) {
                throw new Cancelled("the job was cancelled or taken over");
            }
        }
    }

    static final class Cancelled extends Exception {
        Cancelled(String message) {
            super(message);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("could not delete {}", p);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not clean {}", dir, e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "worker";
        }
    }
}
