package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.Infra;
import io.barrage.infra.ParentWatch;
import io.barrage.infra.Service;
import io.barrage.infra.TestInfra;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A transcode worker killed with SIGKILL in the middle of a job, as a pod is when its node dies: real
 * worker processes (video-service JVMs started here, with the worker role on), the first one killed
 * together with its ffmpeg while the ladder grows (the video already plays); a second one takes the job over once the
 * lease has run out and finishes it. This instance only takes the upload (its worker role is off).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerKilledTest {

    private static final Duration WITHIN = Duration.ofSeconds(240);

    @DynamicPropertySource
    static void infra(DynamicPropertyRegistry registry) throws Exception {
        TestInfra.springProperties(Service.VIDEO).forEach((k, v) -> registry.add(k, () -> v));
        registry.add("barrage.video.transcode.enabled", () -> "true");
        registry.add("barrage.video.transcode.worker-enabled", () -> "false");
        registry.add("barrage.video.max-upload-size", () -> "64MB");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    private final List<Process> workers = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        for (Process worker : workers) {
            worker.descendants().forEach(ProcessHandle::destroyForcibly);
            worker.destroyForcibly();
        }
    }

    @Test
    void aWorkerKilledWhileTheLadderGrowsLeavesTheJobToAnotherWhichFinishesEveryRungOnce() throws Exception {
        VideoClient c = new VideoClient(port);
        var created = c.upload(81, "Killed", "killed.mp4", h264(640, 360, 16));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = c.tree(created).get("id").asLong();
        assertThat(c.tree(created).get("status").asString()).isEqualTo("PROCESSING");

        Path dir = Files.createTempDirectory("worker-killed");
        // the first worker's ffmpeg reads this video's source no faster than it plays (-re), so the ladder
        // is surely still being made when the video has become playable, whatever the machine's speed;
        // other videos' runs (a retry due from another test) go on as usual
        Path slow = dir.resolve("ffmpeg-real-time.sh");
        Files.writeString(
                slow, "#!/bin/sh\ncase \"$*\" in */" + id + "-*) exec ffmpeg -re \"$@\";; esac\nexec ffmpeg \"$@\"\n");
        slow.toFile().setExecutable(true);

        Path firstLog = dir.resolve("worker-1.log");
        Process first = startWorker(slow, firstLog);
        // playable while the ladder is made: every rung listed, each playlist naming stored segments only
        await(() -> "READY".equals(status(id)), "the video playable while its ladder is made", firstLog);
        Map<String, List<String>> before = new java.util.HashMap<>();
        String master = c.get("/api/v1/videos/" + id + "/hls/master.m3u8", null).body();
        assertThat(rungsOf(master)).containsExactly("240p/index.m3u8", "360p/index.m3u8");
        for (String rung : List.of("240p", "360p")) {
            String playlist = c.get("/api/v1/videos/" + id + "/hls/" + rung + "/index.m3u8", null)
                    .body();
            assertThat(playlist).contains("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-START:TIME-OFFSET=0");
            before.put(rung, segmentsOf(playlist));
            assertThat(before.get(rung)).isNotEmpty();
            for (String segment : before.get(rung)) {
                var bytes = c.getBytes("/api/v1/videos/" + id + "/hls/" + rung + "/" + segment, Map.of());
                assertThat(bytes.statusCode()).isEqualTo(200);
            }
        }
        assertThat(jdbc.queryForObject(
                        "SELECT COUNT(*) FROM video_rendition WHERE video_id = ? AND state = 'DONE'",
                        Integer.class,
                        id))
                .as("nothing is complete yet")
                .isZero();

        List<ProcessHandle> tree = first.descendants().toList();
        assertThat(tree).as("the first worker's ffmpeg").isNotEmpty();
        first.descendants().forEach(ProcessHandle::destroyForcibly);
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no lease handed back
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await(() -> tree.stream().noneMatch(ProcessHandle::isAlive), "the first worker's ffmpeg gone", firstLog);
        assertThat(leaseOwner(id)).isNotNull();
        assertThat(jdbc.queryForObject("SELECT status FROM transcode_job WHERE video_id = ?", String.class, id))
                .isEqualTo("RUNNING");
        // the video still plays what was made
        assertThat(status(id)).isEqualTo("READY");
        assertThat(rungsOf(
                        c.get("/api/v1/videos/" + id + "/hls/master.m3u8", null).body()))
                .containsExactly("240p/index.m3u8", "360p/index.m3u8");

        Path secondLog = dir.resolve("worker-2.log");
        startWorker(Path.of("ffmpeg"), secondLog);
        await(
                () -> "DONE"
                        .equals(jdbc.queryForObject(
                                "SELECT status FROM transcode_job WHERE video_id = ?", String.class, id)),
                "the job taken over and DONE",
                secondLog);
        assertThat(jdbc.queryForObject("SELECT attempts FROM transcode_job WHERE video_id = ?", Integer.class, id))
                .isEqualTo(2);

        // every rung complete, each published once, by the second worker
        JsonNode video = c.tree(c.get("/api/v1/videos/" + id, null));
        assertThat(video.get("status").asString()).isEqualTo("READY");
        assertThat(video.get("processing").isNull()).isTrue();
        assertThat(video.get("durationMs").asLong()).isBetween(15_500L, 16_500L);
        List<String> rungs = jdbc.queryForList(
                "SELECT name FROM video_rendition WHERE video_id = ? AND state = 'DONE' ORDER BY height",
                String.class,
                id);
        assertThat(rungs).containsExactly("240p", "360p");
        assertThat(published(Files.readString(firstLog), id)).isEmpty();
        assertThat(published(Files.readString(secondLog), id)).containsExactly("240p", "360p");

        // the master lists each rung once; each rung's playlist ends, names exactly the segments stored for
        // it, and begins with what a viewer was already given (a playlist only ever grows)
        assertThat(rungsOf(
                        c.get("/api/v1/videos/" + id + "/hls/master.m3u8", null).body()))
                .containsExactly("240p/index.m3u8", "360p/index.m3u8");
        for (String rung : rungs) {
            String playlist = c.get("/api/v1/videos/" + id + "/hls/" + rung + "/index.m3u8", null)
                    .body();
            List<String> listed = segmentsOf(playlist);
            assertThat(playlist).contains("#EXT-X-ENDLIST");
            assertThat(listed)
                    .isNotEmpty()
                    .doesNotHaveDuplicates()
                    .startsWith(before.get(rung).toArray(String[]::new));
            List<String> stored = keys("videos/" + id + "/hls/" + rung + "/").stream()
                    .map(k -> k.substring(k.lastIndexOf('/') + 1))
                    .filter(f -> !f.equals("index.m3u8"))
                    .toList();
            assertThat(stored).containsExactlyInAnyOrderElementsOf(listed);
            for (String segment : listed) {
                var bytes = c.getBytes("/api/v1/videos/" + id + "/hls/" + rung + "/" + segment, Map.of());
                assertThat(bytes.statusCode()).isEqualTo(200);
                assertThat(bytes.body().length).isGreaterThan(188);
            }
        }
        TestInfra.deleteQuietly(dir); // kept when the test fails: the workers' logs
    }

    private static List<String> rungsOf(String master) {
        return Arrays.stream(master.split("\n"))
                .filter(l -> l.endsWith("/index.m3u8"))
                .toList();
    }

    private static List<String> segmentsOf(String playlist) {
        return Arrays.stream(playlist.split("\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .toList();
    }

    /** A video-service JVM on this test's classpath with the worker role on, as the chart's transcoders. */
    private Process startWorker(Path ffmpeg, Path log) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                ParentWatch.class.getName(),
                Long.toString(ProcessHandle.current().pid()),
                VideoServiceApplication.class.getName()));
        Map<String, String> properties = new java.util.LinkedHashMap<>(TestInfra.springProperties(Service.VIDEO));
        properties.put("server.port", "0");
        properties.put("barrage.video.transcode.enabled", "true");
        properties.put("barrage.video.transcode.worker-enabled", "true");
        properties.put("barrage.video.transcode.lease", "3s");
        properties.put("barrage.video.transcode.sweep-interval", "500ms");
        properties.put("barrage.video.transcode.preset", "ultrafast");
        properties.put("barrage.video.transcode.nice", "0");
        properties.put("barrage.video.ffmpeg-path", ffmpeg.toString());
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        workers.add(process);
        return process;
    }

    /** An H.264/AAC MP4 made here: 240p encoded, 360p remuxed (a keyframe every 4 s). */
    private static byte[] h264(int width, int height, int seconds) throws Exception {
        Path out = Files.createTempFile("source", ".mp4");
        try {
            Process process = new ProcessBuilder(
                            "ffmpeg",
                            "-v",
                            "error",
                            "-y",
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
                            "-g",
                            "40",
                            "-pix_fmt",
                            "yuv420p",
                            "-c:a",
                            "aac",
                            "-shortest",
                            out.toString())
                    .redirectErrorStream(true)
                    .start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(log).isZero();
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static List<String> published(String log, long id) {
        Matcher m = Pattern.compile("video " + id + ": rung (\\S+) published").matcher(log);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private String status(long id) {
        return jdbc.queryForObject("SELECT status FROM video WHERE id = ?", String.class, id);
    }

    private String leaseOwner(long id) {
        return jdbc.queryForObject("SELECT lease_owner FROM transcode_job WHERE video_id = ?", String.class, id);
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            Thread.sleep(200);
        }
        String tail = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        throw new AssertionError(
                "not within " + WITHIN + ": " + what + "\n" + tail.substring(Math.max(0, tail.length() - 4000)));
    }

    private static List<String> keys(String prefix) {
        Infra infra = TestInfra.get();
        MinioClient minio = infra.s3Client();
        return StreamSupport.stream(
                        minio.listObjects(ListObjectsArgs.builder()
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
}
