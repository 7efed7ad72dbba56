package io.barrage.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte by byte on a socket, so a test can send what a hostile client sends: duplicated
 * headers, a {@code Connection} list, percent-encoded garbage in the target, any method. JDK's HttpClient
 * refuses most of that. One request per connection ({@code Connection: close}).
 */
final class RawHttp {

    /** What came back; {@code status} is 0 when the server closed without answering. */
    record Reply(int status, List<Map.Entry<String, String>> headers, byte[] body, long millis) {

        String header(String name) {
            return headers.stream()
                    .filter(h -> h.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_BODY = 8 * 1024 * 1024;

    private final int port;
    private final int readTimeoutMillis;

    RawHttp(int port, int readTimeoutMillis) {
        this.port = port;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /**
     * Sends one request. {@code headers} are written as given (name, value pairs, duplicates kept);
     * Host, Content-Length (when there is a body and the caller did not set one) and Connection: close are
     * added.
     */
    Reply send(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(readTimeoutMillis);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            write(head, method + " " + target + " HTTP/1.1\r\n");
            write(head, "Host: 127.0.0.1:" + port + "\r\n");
            boolean lengthGiven = false;
            boolean connectionGiven = false;
            for (Map.Entry<String, String> h : headers) {
                lengthGiven |= h.getKey().equalsIgnoreCase("Content-Length")
                        || h.getKey().equalsIgnoreCase("Transfer-Encoding");
                connectionGiven |= h.getKey().equalsIgnoreCase("Connection");
                head.writeBytes(h.getKey().getBytes(StandardCharsets.ISO_8859_1));
                write(head, ": ");
                head.writeBytes(h.getValue().getBytes(StandardCharsets.ISO_8859_1));
                write(head, "\r\n");
            }
            if (body != null && !lengthGiven) {
                write(head, "Content-Length: " + body.length + "\r\n");
            }
            if (!connectionGiven) {
                write(head, "Connection: close\r\n");
            }
            write(head, "\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toByteArray());
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), method.equals("HEAD"), start);
        }
    }

    private static Reply read(InputStream in, boolean head, long start) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return new Reply(0, List.of(), new byte[0], elapsed(start));
        }
        if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
            return new Reply(0, List.of(), new byte[0], elapsed(start));
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.add(Map.entry(
                        line.substring(0, colon).trim(),
                        line.substring(colon + 1).trim()));
            }
        }
        Reply partial = new Reply(status, headers, new byte[0], 0);
        byte[] body;
        if (head || status == 204 || status == 304 || status == 101 || status / 100 == 1) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(partial.header("Transfer-Encoding"))) {
            body = chunked(in);
        } else if (partial.header("Content-Length") != null) {
            body = in.readNBytes((int) Math.min(MAX_BODY, Long.parseLong(partial.header("Content-Length"))));
        } else {
            body = in.readNBytes(MAX_BODY);
        }
        return new Reply(status, headers, body, elapsed(start));
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            if (size == null) {
                return body.toByteArray();
            }
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (length == 0) {
                line(in);
                return body.toByteArray();
            }
            if (body.size() + length > MAX_BODY) {
                throw new IOException("a body over " + MAX_BODY + " bytes");
            }
            body.writeBytes(in.readNBytes(length));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            if (line.size() > 64 * 1024) {
                throw new IOException("a header line over 64 KiB");
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void write(ByteArrayOutputStream out, String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static long elapsed(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
