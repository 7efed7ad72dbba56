package io.barrage.video.upload;

import io.barrage.video.storage.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks ffprobe and ffmpeg about a stored video. They read the object through a short-lived presigned URL
 * (ranged HTTP reads), so nothing is copied to local disk and a 1 GiB upload costs no heap. Each run is
 * bounded in time and killed when it overruns; any failure (binary missing, unreadable stream, timeout)
 * just means "no answer", and the caller falls back to what the MP4 boxes said or to a placeholder.
 */
@Component
class MediaProbe {

    private static final Logger log = LoggerFactory.getLogger(MediaProbe.class);
    private static final Duration URL_LIFETIME = Duration.ofMinutes(10);
    private static final long MAX_THUMBNAIL_BYTES = 2L * 1024 * 1024;

    record Probe(Long durationMs, Integer width, Integer height) {}

    private final ObjectStore store;
    private final JsonMapper json;
    private final String ffprobe;
    private final String ffmpeg;
    private final Duration timeout;

    MediaProbe(ObjectStore store, JsonMapper json, VideoUploadProperties properties) {
        this.store = store;
        this.json = json;
        this.ffprobe = properties.ffprobePath();
        this.ffmpeg = properties.ffmpegPath();
        this.timeout = properties.probeTimeout();
    }

    /** Duration and the first video stream's size, if ffprobe can tell. */
    Optional<Probe> probe(String key) {
        String url = presign(key);
        if (url == null) {
            return Optional.empty();
        }
        Optional<byte[]> out = run(List.of(
                ffprobe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "format=duration:stream=width,height",
                "-of",
                "json",
                url));
        if (out.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode root = json.readTree(out.get());
            Long durationMs = null;
            JsonNode duration = root.path("format").path("duration");
            if (!duration.isMissingNode() && !duration.isNull()) {
                double seconds = Double.parseDouble(duration.asString());
                if (seconds > 0 && Double.isFinite(seconds)) {
                    durationMs = Math.round(seconds * 1000);
                }
            }
            Integer width = null;
            Integer height = null;
            JsonNode stream = root.path("streams").path(0);
            if (stream.path("width").asInt(0) > 0 && stream.path("height").asInt(0) > 0) {
                width = stream.path("width").asInt();
                height = stream.path("height").asInt();
            }
            return durationMs == null && width == null
                    ? Optional.empty()
                    : Optional.of(new Probe(durationMs, width, height));
        } catch (RuntimeException e) {
            log.warn("ffprobe answered something unreadable for {}: {}", key, e.toString());
            return Optional.empty();
        }
    }

    /** A JPEG frame from a tenth into the video (past black intro frames), 320 pixels wide. */
    Optional<byte[]> thumbnail(String key, long durationMs) {
        String url = presign(key);
        if (url == null) {
            return Optional.empty();
        }
        double at = durationMs > 0 ? Math.min(durationMs / 10_000.0, 10.0) : 0;
        return run(List.of(
                        ffmpeg,
                        "-v",
                        "error",
                        "-ss",
                        String.format(java.util.Locale.ROOT, "%.3f", at),
                        "-i",
                        url,
                        "-frames:v",
                        "1",
                        "-vf",
                        "scale=320:-2",
                        "-f",
                        "image2",
                        "-c:v",
                        "mjpeg",
                        "pipe:1"))
                .filter(bytes -> bytes.length > 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8);
    }

    private String presign(String key) {
        try {
            return store.presignedGet(key, URL_LIFETIME);
        } catch (RuntimeException e) {
            log.warn("could not presign {} for probing: {}", key, e.toString());
            return null;
        }
    }

    /** Runs a command with stdout to a temporary file (no pipe to drain, no reader thread). */
    private Optional<byte[]> run(List<String> command) {
        Path out = null;
        Process process = null;
        try {
            out = Files.createTempFile("barrage-probe", ".out");
            process = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} did not finish within {}; killed", command.getFirst(), timeout);
                return Optional.empty();
            }
            if (process.exitValue() != 0) {
                log.debug("{} exited with {}", command.getFirst(), process.exitValue());
                return Optional.empty();
            }
            if (Files.size(out) > MAX_THUMBNAIL_BYTES) {
                return Optional.empty();
            }
            return Optional.of(Files.readAllBytes(out));
        } catch (IOException e) {
            // most often: the binary is not installed
            log.debug("could not run {}: {}", command.getFirst(), e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    log.debug("could not delete {}", out);
                }
            }
        }
    }
}
