package io.barrage.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The tests' HTTP client: one JDK client for the whole JVM, requests to {@code 127.0.0.1:<port>} with a
 * 15 s timeout (unless told another) and headers given as name/value pairs. A JSON body is sent as {@code application/json}
 * unless a header says otherwise. Failures to connect are unchecked, so a call fits in a lambda.
 */
public final class TestHttp {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final int port;
    private final Duration timeout;

    private TestHttp(int port, Duration timeout) {
        this.port = port;
        this.timeout = timeout;
    }

    /** Requests to the server listening on this port of 127.0.0.1. */
    public static TestHttp on(int port) {
        return new TestHttp(port, TIMEOUT);
    }

    /** The same server, with another bound on each request's answer. */
    public TestHttp timeout(Duration timeout) {
        return new TestHttp(port, timeout);
    }

    /** The shared client, for a request this class does not build (a WebSocket, a streamed body). */
    public static HttpClient client() {
        return CLIENT;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A request to this server, with the timeout and the headers set; the caller sets the method. */
    public HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(timeout);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return request;
    }

    public HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    public HttpResponse<String> post(String path, String json, String... headers) {
        return send("POST", path, json, headers);
    }

    /** Any method; a non-null body goes as JSON unless {@code headers} name another Content-Type. */
    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = request(path, headers)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !names(headers, "Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        return send(request.build());
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + request.method() + " " + request.uri(), e);
        }
    }

    private static boolean names(String[] headers, String name) {
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i].equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
