package io.barrage.gateway.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Cache headers for the web UI's static files. Every file gets a strong {@code ETag} (a hash of its
 * bytes, computed once at startup) and answers {@code If-None-Match} with 304. HTML and plain asset
 * names get {@code Cache-Control: no-cache} (the browser keeps the copy but revalidates it, so a new
 * release is seen on the next load); only content-hashed names ({@code name.<8+ hex>.js|css}) may be
 * cached for a year without asking, because a change gives them a new name. The same holds for WebJars
 * ({@code /webjars/<name>/<version>/...}, the HLS player): a new version is a new path.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
class StaticCacheHeaders implements WebFilter {

    static final String REVALIDATE = "no-cache";
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final String WEBJARS = "/webjars/";
    private static final Pattern HASHED = Pattern.compile(".*\\.[0-9a-f]{8,}\\.(js|mjs|css|svg|png|woff2)$");

    private final ApplicationContext publicContext;
    private final Map<String, String> etags;

    StaticCacheHeaders(ApplicationContext publicContext) {
        this.publicContext = publicContext;
        this.etags = scan();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        var request = exchange.getRequest();
        if (exchange.getApplicationContext() != publicContext
                || !(request.getMethod() == HttpMethod.GET || request.getMethod() == HttpMethod.HEAD)) {
            return chain.filter(exchange);
        }
        String path = request.getPath().pathWithinApplication().value();
        String etag = etags.get(path);
        if (etag == null) {
            if (path.startsWith(WEBJARS)) {
                cacheOnSuccess(exchange.getResponse(), IMMUTABLE);
            }
            return chain.filter(exchange);
        }
        ServerHttpResponse response = exchange.getResponse();
        String cacheControl = HASHED.matcher(path).matches() ? IMMUTABLE : REVALIDATE;
        if (matches(request.getHeaders().getIfNoneMatch(), etag)) {
            response.getHeaders().setETag(etag);
            response.getHeaders().setCacheControl(cacheControl);
            response.setStatusCode(HttpStatus.NOT_MODIFIED);
            return response.setComplete();
        }
        // Set just before the answer is written, so the resource handler cannot replace them.
        response.beforeCommit(() -> {
            if (response.getStatusCode() != null && response.getStatusCode().is2xxSuccessful()) {
                response.getHeaders().setETag(etag);
                response.getHeaders().setCacheControl(cacheControl);
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static void cacheOnSuccess(ServerHttpResponse response, String cacheControl) {
        response.beforeCommit(() -> {
            if (response.getStatusCode() != null && response.getStatusCode().is2xxSuccessful()) {
                response.getHeaders().setCacheControl(cacheControl);
            }
            return Mono.empty();
        });
    }

    private static boolean matches(List<String> ifNoneMatch, String etag) {
        for (String candidate : ifNoneMatch) {
            String value = candidate.strip();
            if (value.equals("*") || value.equals(etag) || value.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }

    /** Request path → ETag for every file under classpath:static, plus "/" for the welcome page. */
    private static Map<String, String> scan() {
        Map<String, String> etags = new HashMap<>();
        try {
            var resolver = new PathMatchingResourcePatternResolver(StaticCacheHeaders.class.getClassLoader());
            Resource root = resolver.getResource("classpath:static/");
            if (!root.exists()) {
                return etags;
            }
            String rootUrl = root.getURL().toString();
            for (Resource file : resolver.getResources("classpath:static/**/*")) {
                if (!file.isReadable()) {
                    continue;
                }
                String url = file.getURL().toString();
                if (!url.startsWith(rootUrl) || url.endsWith("/")) {
                    continue;
                }
                String path = "/" + url.substring(rootUrl.length());
                try (InputStream in = file.getInputStream()) {
                    etags.put(path, etagOf(in.readAllBytes()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the web UI's files", e);
        }
        String index = etags.get("/index.html");
        if (index != null) {
            etags.put("/", index);
        }
        return Map.copyOf(etags);
    }

    private static String etagOf(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
