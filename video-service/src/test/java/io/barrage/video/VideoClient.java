package io.barrage.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** HTTP helpers for the upload and playback tests: multipart, tus, raw sockets and ffmpeg-made clips. */
final class VideoClient {

    final HttpClient http = TestHttp.client();
    final JsonMapper json = JsonMapper.builder().build();
    final String token = TestInfra.get().serviceToken();
    final int port;

    VideoClient(int port) {
        this.port = port;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder as(HttpRequest.Builder request, Long userId) {
        if (userId != null) {
            request.header("X-Service-Token", token).header("X-User-Id", userId.toString());
        }
        return request;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, Long userId) throws Exception {
        return send(as(HttpRequest.newBuilder(uri(path)), userId));
    }

    HttpResponse<byte[]> getBytes(String path, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(uri(path));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode tree(HttpResponse<String> response) {
        return json.readTree(response.body());
    }

    void assertProblem(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(ct -> assertThat(ct).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
    }

    /** The multipart upload of docs/api.md. */
    HttpResponse<String> upload(long userId, String title, String filename, byte[] file) throws Exception {
        String boundary = "----barrage" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(
                ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n" + title + "\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(as(
                HttpRequest.newBuilder(uri("/api/v1/videos"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                userId));
    }

    HttpResponse<String> tusCreate(Long userId, long length, String title) throws Exception {
        String metadata = "title " + Base64.getEncoder().encodeToString(title.getBytes(StandardCharsets.UTF_8))
                + ",filename " + Base64.getEncoder().encodeToString("clip.mp4".getBytes(StandardCharsets.UTF_8));
        return send(as(
                HttpRequest.newBuilder(uri("/api/v1/uploads"))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Upload-Length", Long.toString(length))
                        .header("Upload-Metadata", metadata)
                        .POST(HttpRequest.BodyPublishers.noBody()),
                userId));
    }

    HttpResponse<String> tusHead(String location, Long userId) throws Exception {
        return send(as(
                HttpRequest.newBuilder(uri(location))
                        .header("Tus-Resumable", "1.0.0")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()),
                userId));
    }

    HttpResponse<String> tusPatch(String location, Long userId, long offset, byte[] bytes, int from, int to)
            throws Exception {
        return send(as(
                HttpRequest.newBuilder(uri(location))
                        .header("Tus-Resumable", "1.0.0")
                        .header("Content-Type", "application/offset+octet-stream")
                        .header("Upload-Offset", Long.toString(offset))
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(bytes, from, to - from)),
                userId));
    }

    long offsetOf(HttpResponse<String> head) {
        return Long.parseLong(head.headers().firstValue("Upload-Offset").orElseThrow());
    }

    /**
     * A PATCH that announces the whole rest of the file but sends only {@code to - from} bytes before the
     * connection drops, the way a train going into a tunnel would.
     */
    void tusPatchAndDrop(String location, long userId, byte[] bytes, int from, int to) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("PATCH " + location + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n"
                            + "Content-Type: application/offset+octet-stream\r\nUpload-Offset: " + from + "\r\n"
                            + "Content-Length: " + (bytes.length - from) + "\r\nX-Service-Token: " + token
                            + "\r\nX-User-Id: " + userId + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes, from, to - from);
            out.flush();
        }
    }

    /** A GET of the stream that reads only its head and keeps the connection (and the stream slot) open. */
    Socket holdStream(String path, Map<String, String> headers) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        socket.getOutputStream().write((request + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        String status = readLine(in);
        assertThat(status).startsWith("HTTP/1.1 200");
        in.readNBytes(4096);
        return socket;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }

    /** A real two-second 320x240 clip made by ffmpeg, in the container the file name asks for. */
    static byte[] ffmpegClip(String extension) throws Exception {
        Path out = Files.createTempFile("clip", "." + extension);
        try {
            Process process = new ProcessBuilder(
                            "ffmpeg",
                            "-v",
                            "error",
                            "-y",
                            "-f",
                            "lavfi",
                            "-i",
                            "testsrc=duration=2:size=320x240:rate=10",
                            "-c:v",
                            "mpeg4",
                            out.toString())
                    .redirectErrorStream(true)
                    .start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue())
                    .as("ffmpeg must be installed for these tests (apt-get install -y ffmpeg): " + log)
                    .isZero();
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
