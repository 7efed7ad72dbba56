import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The floor under the gateway's proxying: a bare Reactor Netty {@code HttpServer} that forwards every
 * request to one upstream with a pooled {@code HttpClient}, adding the headers the gateway adds (the
 * verified user id and the service credential, fixed here) and streaming the answer back. No routing,
 * no filters, no session check: what the same libraries cost for the forwarding alone.
 *
 * <p>Usage: {@code java -cp <reactor-netty jars> BareProxy.java PORT UPSTREAM HEADERS-FILE}, where the
 * headers file (a properties file, so no secret is on a command line) holds {@code X-User-Id=...} and
 * {@code X-Service-Token=...}. Prints READY once bound; stops when its standard input closes.
 */
public class BareProxy {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String upstream = args[1];
        Properties added = new Properties();
        try (var in = Files.newBufferedReader(Path.of(args[2]))) {
            added.load(in);
        }
        HttpClient client = HttpClient.create(ConnectionProvider.builder("upstream")
                        .maxConnections(500)
                        .pendingAcquireMaxCount(-1)
                        .build())
                .baseUrl(upstream);
        DisposableServer server = HttpServer.create()
                .host("127.0.0.1")
                .port(port)
                .handle((request, response) -> client.headers(headers -> {
                            headers.set(request.requestHeaders());
                            headers.remove(HttpHeaderNames.HOST);
                            added.forEach((name, value) -> headers.set((String) name, value));
                        })
                        .request(request.method())
                        .uri(request.uri())
                        .send(request.receive().retain())
                        .response((upstreamResponse, body) -> response.status(upstreamResponse.status())
                                .headers(upstreamResponse.responseHeaders())
                                .send(body.retain()))
                        .then())
                .bindNow();
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the caller to close our input
        }
        server.disposeNow();
    }
}
