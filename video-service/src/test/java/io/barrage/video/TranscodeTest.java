package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The HLS ladder end to end, with real ffmpeg, Kafka, S3 store and MariaDB: sources made by ffmpeg here
 * (tiny, so the suite stays fast on two cores), uploaded, transcoded by this instance's worker, played
 * back through the playlists; hostile files; a worker dying mid-job; a delete during a job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// its worker must not outlive the class and take the jobs of WorkerKilledTest's worker processes
@DirtiesContext
class TranscodeTest {

    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    private static final Path HOLD = Path.of(
            System.getProperty("java.io.tmpdir"),
            "barrage-transcode-hold-" + ProcessHandle.current().pid());

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) throws Exception {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("barrage.video.transcode.enabled", () -> "true");
        registry.add("barrage.video.transcode.worker-enabled", () -> "true");
        registry.add("barrage.video.transcode.sweep-interval", () -> "500ms");
        registry.add("barrage.video.transcode.lease", () -> "3s");
        registry.add("barrage.video.transcode.backoff", () -> "1s");
        registry.add("barrage.video.transcode.max-attempts", () -> "2");
        registry.add("barrage.video.transcode.preset", () -> "ultrafast");
        // the shared test machine is busy: a niced ffmpeg would wait behind every other build
        registry.add("barrage.video.transcode.nice", () -> "0");
        registry.add("barrage.video.max-upload-size", () -> "64MB");
        // ffmpeg behind a wrapper that, while the test holds the flag file, waits before it makes the ladder
        // and the storyboard (the run with tile=): a job that is surely still running when the video is deleted
        Path wrapper = Files.createTempFile("ffmpeg-held", ".sh");
        Files.writeString(
                wrapper,
                "#!/bin/sh\ncase \"$*\" in *tile=*) if [ -e " + HOLD
                        + " ]; then sleep 60; fi;; esac\nexec ffmpeg \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        registry.add("barrage.video.ffmpeg-path", wrapper::toString);
        String buffers = Files.createTempDirectory("barrage-transcode-test").toString();
        registry.add("barrage.video.upload-buffer-dir", () -> buffers);
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final Infra infra = TestInfra.get();

    private VideoClient client() {
        return new VideoClient(port);
    }

    @Test
    void hevcInMp4BecomesAnH264LadderUpToItsOwnHeight() throws Exception {
        byte[] hevc = ffmpeg(
                "mp4",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=426x240:rate=10",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=2",
                "-c:v",
                "libx265",
                "-preset",
                "ultrafast",
                "-x265-params",
                "log-level=error",
                "-tag:v",
                "hvc1",
                "-c:a",
                "aac",
                "-shortest");
        JsonNode video = uploadUntilLadderDone(61, "Phone clip", "phone.mp4", hevc);
        assertLadder(video, List.of("240p"));
        assertThat(video.get("width").asInt()).isEqualTo(426);
        assertThat(video.get("durationMs").asLong()).isBetween(1800L, 2300L);
        assertThat(video.get("posterUrl").asString())
                .isEqualTo("/api/v1/videos/" + video.get("id").asLong() + "/thumbnail");
        var poster = client().getBytes(video.get("posterUrl").asString(), Map.of());
        assertThat(poster.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    }

    @Test
    void vp9AndOpusInWebmGetTwoRungs() throws Exception {
        byte[] webm = ffmpeg(
                "webm",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=640x360:rate=10",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=2",
                "-c:v",
                "libvpx-vp9",
                "-deadline",
                "realtime",
                "-cpu-used",
                "8",
                "-b:v",
                "200k",
                "-c:a",
                "libopus",
                "-shortest");
        assertLadder(uploadUntilLadderDone(62, "Web clip", "web.webm", webm), List.of("240p", "360p"));
    }

    @Test
    void h264WithMoovAtTheEndThroughTusGetsThreeRungsTheTopOneRemuxed() throws Exception {
        byte[] mp4 = h264Mp4(854, 480, 3);
        VideoClient c = client();
        var created = c.tusCreate(63L, mp4.length, "Moov last");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        long id = c.tree(created).get("videoId").asLong();
        var done = c.tusPatch(location, 63L, 0, mp4, 0, mp4.length);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(204);
        assertThat(done.headers().firstValue("X-Video-Status")).hasValue("PROCESSING");
        JsonNode video = awaitLadder(id, 63);
        assertLadder(video, List.of("240p", "360p", "480p"));
        // the source's own size is copied, not encoded: its bitrate is the source's, far above a 480p
        // encode of a test card (the other rungs are made at crf 23)
        String master = c.get("/api/v1/videos/" + id + "/hls/master.m3u8", null).body();
        assertThat(master).contains("RESOLUTION=854x480");
        // x264 writes its settings into the stream: the source's (qp=30) survive in the remuxed rung,
        // the encoded rungs carry the pipeline's (crf=23)
        String top = new String(
                c.getBytes("/api/v1/videos/" + id + "/hls/480p/seg_00000.ts", Map.of())
                        .body(),
                StandardCharsets.ISO_8859_1);
        String bottom = new String(
                c.getBytes("/api/v1/videos/" + id + "/hls/240p/seg_00000.ts", Map.of())
                        .body(),
                StandardCharsets.ISO_8859_1);
        assertThat(top).contains(" qp=30").doesNotContain("crf=23");
        assertThat(bottom).contains("crf=23");
    }

    @Test
    void aSourceWithKeyframesFurtherApartThanASegmentIsEncodedNotRemuxedIntoOneLongSegment() throws Exception {
        VideoClient c = client();
        // libx264's default GOP (250 frames) at 10 fps: one keyframe in 12 s. Remuxed, the HLS muxer could
        // only cut at that keyframe: one 12 s segment
        JsonNode sparse = uploadUntilLadderDone(73, "One keyframe", "sparse.mp4", h264Mp4(426, 240, 12));
        assertLadder(sparse, List.of("240p"));
        String sparsePath = "/api/v1/videos/" + sparse.get("id").asLong() + "/hls/240p/";
        assertThat(longestSegment(c.get(sparsePath + "index.m3u8", null).body()))
                .isBetween(3.5, 4.5);
        assertThat(new String(c.getBytes(sparsePath + "seg_00000.ts", Map.of()).body(), StandardCharsets.ISO_8859_1))
                .contains("crf=23");

        // a keyframe every 2 s fits the 4 s segments: the same source is remuxed
        JsonNode dense =
                uploadUntilLadderDone(73, "Keyframe every 2 s", "dense.mp4", h264Mp4(426, 240, 12, "-g", "20"));
        assertLadder(dense, List.of("240p"));
        String densePath = "/api/v1/videos/" + dense.get("id").asLong() + "/hls/240p/";
        assertThat(longestSegment(c.get(densePath + "index.m3u8", null).body())).isBetween(3.5, 4.5);
        assertThat(new String(c.getBytes(densePath + "seg_00000.ts", Map.of()).body(), StandardCharsets.ISO_8859_1))
                .contains(" qp=30")
                .doesNotContain("crf=23");
    }

    @Test
    void proresInMovGetsTheRungBelowAndItsOwnHeight() throws Exception {
        byte[] mov = ffmpeg(
                "mov",
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=2:size=640x300:rate=10",
                "-c:v",
                "prores_ks",
                "-profile:v",
                "0");
        assertLadder(uploadUntilLadderDone(64, "Edit", "edit.mov", mov), List.of("240p", "300p"));
    }

    @Test
    void audioOnlyGetsAnAudioRendition() throws Exception {
        byte[] m4a = ffmpeg("m4a", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac");
        JsonNode video = uploadUntilLadderDone(65, "A song", "song.m4a", m4a);
        assertLadder(video, List.of("audio"));
        String master = client().get("/api/v1/videos/" + video.get("id").asLong() + "/hls/master.m3u8", null)
                .body();
        assertThat(master).contains("CODECS=\"mp4a.40.2\"").doesNotContain("RESOLUTION");
        assertThat(video.get("storyboardUrl").isNull()).isTrue();
    }

    @Test
    void theStoryboardIsASpriteOf160x90FramesWithAThumbnailsTrack() throws Exception {
        JsonNode video = uploadUntilLadderDone(66, "Storyboard", "sb.mp4", h264Mp4(640, 360, 12));
        long id = video.get("id").asLong();
        assertThat(video.get("storyboardUrl").asString())
                .isEqualTo("/api/v1/videos/" + id + "/storyboard/thumbnails.vtt");
        var vtt = client().get(video.get("storyboardUrl").asString(), null);
        assertThat(vtt.statusCode()).isEqualTo(200);
        assertThat(vtt.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/vtt");
        assertThat(vtt.body())
                .startsWith("WEBVTT")
                .contains("00:00:00.000 --> 00:00:05.000\nsprite-0.jpg#xywh=0,0,160,90")
                .contains("00:00:05.000 --> 00:00:10.000\nsprite-0.jpg#xywh=160,0,160,90")
                .contains("sprite-0.jpg#xywh=320,0,160,90");
        var sprite = client().getBytes("/api/v1/videos/" + id + "/storyboard/sprite-0.jpg", Map.of());
        assertThat(sprite.statusCode()).isEqualTo(200);
        Path file = Files.createTempFile("sprite", ".jpg");
        Files.write(file, sprite.body());
        assertThat(run(
                        "ffprobe",
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=width,height",
                        "-of",
                        "csv=p=0",
                        file.toString()))
                .contains("480,90");
        Files.delete(file);
    }

    @Test
    void hostileMp4sGetA4xxAndLeaveNothingBehind() throws Exception {
        VideoClient c = client();
        long rows = rows();
        long objects = objects();
        // declares 2^32-2 seconds: 136 years (all ones would mean "unknown")
        c.assertProblem(
                c.upload(67, "Forever", "forever.mp4", TinyMp4.build(1, 0xFFFFFFFEL, 640, 360, 140)),
                400,
                "duration-too-long");
        c.assertProblem(c.upload(67, "Empty mvhd", "empty.mp4", TinyMp4.emptyMvhd(640, 360)), 400, "invalid-video");
        c.assertProblem(
                c.upload(67, "Huge", "huge.mp4", TinyMp4.build(1000, 2000, 100_000, 100_000, 1024)),
                400,
                "resolution-too-large");
        byte[] real = h264Mp4(320, 240, 2);
        c.assertProblem(c.upload(67, "Cut", "cut.mp4", Arrays.copyOf(real, real.length / 2)), 400, "invalid-video");
        assertThat(rows()).isEqualTo(rows);
        assertThat(objects()).isEqualTo(objects);
    }

    @Test
    void anEmptyMvhdThroughTusEndsFailedWithNoUploadingRowAndNoObject() throws Exception {
        VideoClient c = client();
        for (byte[] hostile : List.of(TinyMp4.emptyMvhd(640, 360), TinyMp4.build(1000, 2000, 100_000, 100_000, 1024))) {
            long objects = objects();
            var created = c.tusCreate(68L, hostile.length, "Hostile");
            String location = created.headers().firstValue("Location").orElseThrow();
            long id = c.tree(created).get("videoId").asLong();
            var done = c.tusPatch(location, 68L, 0, hostile, 0, hostile.length);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(204);
            assertThat(done.headers().firstValue("X-Video-Status")).hasValue("FAILED");
            assertThat(status(id)).isEqualTo("FAILED");
            assertThat(objects()).isEqualTo(objects);
            JsonNode mine = c.tree(c.get("/api/v1/videos/" + id, 68L));
            assertThat(mine.get("failureReason").asString()).isIn("invalid-video", "resolution-too-large");
        }
    }

    @Test
    void aFileWithNothingDecodableIsFailedNotAVideoAndItsObjectsAreGone() throws Exception {
        VideoClient c = client();
        // well-formed boxes that hold no frame at all
        var created = c.upload(69, "Nothing", "nothing.mp4", TinyMp4.build(1000, 3000, 640, 360, 2048));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode accepted = c.tree(created);
        assertThat(accepted.get("status").asString()).isEqualTo("PROCESSING");
        long id = accepted.get("id").asLong();
        await(() -> "FAILED".equals(status(id)), "video " + id + " FAILED");
        JsonNode mine = c.tree(c.get("/api/v1/videos/" + id, 69L));
        assertThat(mine.get("failureReason").asString()).isEqualTo("not-a-video");
        assertThat(mine.get("failureMessage").asString()).isNotBlank();
        // others do not see it at all
        c.assertProblem(c.get("/api/v1/videos/" + id, null), 404, "video-not-found");
        c.assertProblem(c.get("/api/v1/videos/" + id, 70L), 404, "video-not-found");
        assertThat(keys("videos/" + id + "/")).isEmpty();
        assertThat(jdbc.queryForObject("SELECT status FROM transcode_job WHERE video_id = ?", String.class, id))
                .isEqualTo("FAILED");
        // listed for operators
        var failed = c.get("/internal/v1/transcode-jobs?status=FAILED", null);
        assertThat(failed.statusCode()).isIn(200, 401, 403);
    }

    @Test
    void aJobWhoseWorkerDiedIsFinishedByAnotherAndEveryRungIsPublishedOnce() throws Exception {
        JsonNode video = uploadUntilLadderDone(71, "Crash", "crash.mp4", h264Mp4(640, 360, 2));
        long id = video.get("id").asLong();
        // the state a worker leaves when it is killed while making the upper rungs: it holds the lease,
        // the 360p rung is half-written (a segment, no playlist), and the row is not DONE
        jdbc.update(
                "UPDATE transcode_job SET status = 'RUNNING', lease_owner = 'killed-worker',"
                        + " lease_until = UTC_TIMESTAMP(3) + INTERVAL 2 SECOND, attempts = 1 WHERE video_id = ?",
                id);
        jdbc.update(
                "UPDATE video_rendition SET state = 'RUNNING', percent = 40 WHERE video_id = ? AND name = '360p'", id);
        jdbc.update("UPDATE video SET ladder_state = 'PROCESSING', version = version + 1 WHERE id = ?", id);
        evict(id);
        MinioClient minio = minio();
        byte[] garbage = "half a segment".getBytes(StandardCharsets.UTF_8);
        minio.removeObject(io.minio.RemoveObjectArgs.builder()
                .bucket(Infra.BUCKET)
                .object("videos/" + id + "/hls/360p/index.m3u8")
                .build());
        minio.putObject(
                PutObjectArgs.builder().bucket(Infra.BUCKET).object("videos/" + id + "/hls/360p/seg_00000.ts").stream(
                                new ByteArrayInputStream(garbage), garbage.length, -1)
                        .build());

        // while the dead worker's lease holds, the half-written rung is not published
        VideoClient c = client();
        assertThat(c.get("/api/v1/videos/" + id + "/hls/master.m3u8", null).body())
                .contains("240p/index.m3u8")
                .doesNotContain("360p");
        c.assertProblem(c.get("/api/v1/videos/" + id + "/hls/360p/index.m3u8", null), 404, "video-not-found");

        // the lease runs out; this instance's worker (another worker) claims the job and finishes it
        await(
                () -> "DONE"
                        .equals(jdbc.queryForObject(
                                "SELECT status FROM transcode_job WHERE video_id = ?", String.class, id)),
                "the job taken over and DONE");
        assertThat(jdbc.queryForObject("SELECT attempts FROM transcode_job WHERE video_id = ?", Integer.class, id))
                .isEqualTo(2);
        JsonNode after = c.tree(c.get("/api/v1/videos/" + id, null));
        assertLadder(after, List.of("240p", "360p"));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM video_rendition WHERE video_id = ?", Integer.class, id))
                .isEqualTo(2);
    }

    @Test
    void deletingAVideoStopsItsRunningJobAndARestoreFinishesTheLadder() throws Exception {
        VideoClient c = client();
        byte[] mp4 = h264Mp4(1280, 720, 8);
        Files.writeString(HOLD, "hold");
        var created = c.upload(72, "Regret", "regret.mp4", mp4);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = c.tree(created).get("id").asLong();
        await(
                () -> jdbc.queryForObject(
                                "SELECT COUNT(*) FROM video_rendition WHERE video_id = ? AND name <> '240p' AND state = 'RUNNING'",
                                Integer.class,
                                id)
                        > 0,
                "the rungs running");
        assertThat(ffmpegsOf(id)).isNotEmpty();
        // the owner follows the progress per rung
        JsonNode processing = c.tree(c.get("/api/v1/videos/" + id, 72L)).get("processing");
        assertThat(processing.get("percent").asInt()).isBetween(0, 100);
        assertThat(processing
                        .get("rungs")
                        .valueStream()
                        .map(r ->
                                r.get("name").asString() + ":" + r.get("state").asString()))
                .contains("240p:RUNNING", "720p:RUNNING");
        var deleted = c.send(c.as(
                java.net.http.HttpRequest.newBuilder(c.uri("/api/v1/videos/" + id))
                        .DELETE(),
                72L));
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        await(() -> ffmpegsOf(id).isEmpty(), "ffmpeg of video " + id + " killed");
        Files.delete(HOLD);
        assertThat(jdbc.queryForObject("SELECT status FROM transcode_job WHERE video_id = ?", String.class, id))
                .isEqualTo("CANCELLED");
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM video_rendition WHERE video_id = ? AND name = '720p' AND state = 'DONE'",
                        Integer.class,
                        id))
                .isZero();

        var restored = c.send(c.as(
                java.net.http.HttpRequest.newBuilder(c.uri("/api/v1/videos/" + id + "/restore"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()),
                72L));
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertLadder(awaitLadder(id, 72), List.of("240p", "360p", "480p", "720p"));
    }

    // --- helpers

    private JsonNode uploadUntilLadderDone(long user, String title, String filename, byte[] file) throws Exception {
        VideoClient c = client();
        var created = c.upload(user, title, filename, file);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode accepted = c.tree(created);
        assertThat(accepted.get("status").asString()).isEqualTo("PROCESSING");
        // queued, not yet claimed by a worker: progress from the first answer on
        assertThat(accepted.get("processing").get("percent").asInt()).isZero();
        assertThat(accepted.get("processing").get("rungs").isArray()).isTrue();
        return awaitLadder(accepted.get("id").asLong(), user);
    }

    /** Polls as the owner until READY with nothing left to make; returns the video JSON. */
    private JsonNode awaitLadder(long id, long owner) throws Exception {
        VideoClient c = client();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        JsonNode video = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> got = c.get("/api/v1/videos/" + id, owner);
            video = got.statusCode() == 200 ? c.tree(got) : null;
            if (video != null && "FAILED".equals(video.get("status").asString())) {
                throw new AssertionError("video " + id + " FAILED: " + video);
            }
            if (video != null
                    && "READY".equals(video.get("status").asString())
                    && video.get("processing").isNull()) {
                return video;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("video " + id + " not done within " + READY_WITHIN + ": " + video);
    }

    /** The master lists exactly {@code rungs}; every playlist parses and a segment of each decodes. */
    private void assertLadder(JsonNode video, List<String> rungs) throws Exception {
        VideoClient c = client();
        long id = video.get("id").asLong();
        assertThat(video.get("streamUrl").asString()).isEqualTo("/api/v1/videos/" + id + "/hls/master.m3u8");
        assertThat(video.get("originalUrl").asString()).isEqualTo("/api/v1/videos/" + id + "/stream");
        var master = c.get(video.get("streamUrl").asString(), null);
        assertThat(master.statusCode()).isEqualTo(200);
        assertThat(master.headers().firstValue("Content-Type").orElseThrow())
                .startsWith("application/vnd.apple.mpegurl");
        List<String> listed = new ArrayList<>();
        String[] lines = master.body().split("\n");
        assertThat(lines[0]).isEqualTo("#EXTM3U");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("#EXT-X-STREAM-INF:")) {
                assertThat(lines[i]).contains("BANDWIDTH=").contains("CODECS=\"");
                if (!rungs.equals(List.of("audio"))) {
                    assertThat(lines[i]).contains("RESOLUTION=").contains("avc1.");
                }
                String uri = lines[i + 1];
                assertThat(uri).endsWith("/index.m3u8");
                listed.add(uri.substring(0, uri.indexOf('/')));
            }
        }
        assertThat(listed).containsExactlyElementsOf(rungs);
        for (String rung : rungs) {
            var media = c.get("/api/v1/videos/" + id + "/hls/" + rung + "/index.m3u8", null);
            assertThat(media.statusCode()).isEqualTo(200);
            assertThat(media.body())
                    .startsWith("#EXTM3U")
                    .contains("#EXT-X-ENDLIST")
                    .contains("#EXTINF:");
            String segment = Arrays.stream(media.body().split("\n"))
                    .filter(l -> !l.isBlank() && !l.startsWith("#"))
                    .findFirst()
                    .orElseThrow();
            var bytes = c.getBytes("/api/v1/videos/" + id + "/hls/" + rung + "/" + segment, Map.of());
            assertThat(bytes.statusCode()).isEqualTo(200);
            assertThat(bytes.headers().firstValue("Cache-Control").orElseThrow())
                    .contains("immutable");
            assertThat(bytes.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            Path file = Files.createTempFile("segment", ".ts");
            try {
                Files.write(file, bytes.body());
                // decodes every frame of the segment; a failure prints to stderr and exits non-zero
                String probe = run(
                        "ffprobe",
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_name,height",
                        "-of",
                        "csv=p=0",
                        file.toString());
                if (rung.equals("audio")) {
                    assertThat(probe).contains("aac");
                } else {
                    assertThat(probe).contains("h264," + rung.replace("p", ""));
                }
                run("ffmpeg", "-v", "error", "-xerror", "-i", file.toString(), "-f", "null", "-");
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    private static double longestSegment(String mediaPlaylist) {
        return Arrays.stream(mediaPlaylist.split("\n"))
                .filter(l -> l.startsWith("#EXTINF:"))
                .mapToDouble(l -> Double.parseDouble(l.substring("#EXTINF:".length(), l.indexOf(','))))
                .max()
                .orElseThrow();
    }

    private static byte[] h264Mp4(int width, int height, int seconds, String... extra) throws Exception {
        // ffmpeg's MP4 muxer writes moov after mdat unless told +faststart
        List<String> args = new ArrayList<>(List.of(
                "-f",
                "lavfi",
                "-i",
                "testsrc=duration=" + seconds + ":size=" + width + "x" + height + ":rate=10",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=" + seconds,
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-qp",
                "30",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest"));
        args.addAll(List.of(extra));
        return ffmpeg("mp4", args.toArray(String[]::new));
    }

    private static byte[] ffmpeg(String extension, String... args) throws Exception {
        Path out = Files.createTempFile("source", "." + extension);
        try {
            List<String> command = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
            command.addAll(List.of(args));
            command.add(out.toString());
            run(command.toArray(String[]::new));
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + ": " + output)
                .isZero();
        return output;
    }

    private static List<ProcessHandle> ffmpegsOf(long id) {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("ffmpeg"))
                .filter(p -> p.info().commandLine().orElse("").contains("/" + id + "-"))
                .toList();
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what) throws Exception {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within " + READY_WITHIN + ": " + what);
    }

    private String status(long id) {
        return jdbc.queryForObject("SELECT status FROM video WHERE id = ?", String.class, id);
    }

    @Autowired
    io.barrage.video.catalog.VideoCache cache;

    private void evict(long id) {
        cache.evict(id);
    }

    private long rows() {
        Long n = jdbc.queryForObject("SELECT COUNT(*) FROM video", Long.class);
        return n == null ? 0 : n;
    }

    private long objects() {
        return keys("videos/").size();
    }

    private List<String> keys(String prefix) {
        return StreamSupport.stream(
                        minio().listObjects(ListObjectsArgs.builder()
                                        .bucket(Infra.BUCKET)
                                        .prefix(prefix)
                                        .recursive(true)
                                        .build())
                                .spliterator(),
                        false)
                .map(r -> {
                    try {
                        return r.get().objectName();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    private MinioClient minio() {
        return infra.s3Client();
    }
}
