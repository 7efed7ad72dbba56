package io.barrage.gateway.edge;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The browser-facing security headers, on every response of the public port: the web UI, API answers
 * proxied from a service, and the gateway's own problems alike. Set just before commit, so a service's
 * copy of a header cannot replace or duplicate the gateway's.
 *
 * <p>The Content-Security-Policy is the web UI's: scripts and styles from the gateway only (the pages
 * have no inline script, style or handler; {@code WebUiEdgeTest} keeps it so), media and workers also
 * from {@code blob:} (hls.js feeds the video element through MediaSource), WebSockets to any host because
 * Safari before 15.4 did not let {@code 'self'} match {@code ws:}/{@code wss:}. In presigned mode the
 * object store serves HLS segments to hls.js (a fetch) and the original to the video element: its origin
 * goes into {@code barrage.gateway.csp.media-origins}.
 *
 * <p>Behind TLS ({@code barrage.gateway.tls.enabled}, at an ingress or load balancer in front) every
 * response also carries {@code Strict-Transport-Security}, and every cookie a service sets gets the
 * {@code Secure} flag, whatever that service was configured with.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class SecurityHeaders implements WebFilter {

    // scheme://host[:port], nothing that could end a CSP directive or add a source
    private static final Pattern ORIGIN = Pattern.compile("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?");

    private final String policy;
    private final String hsts;
    private final boolean tls;

    SecurityHeaders(Csp csp, Tls tls) {
        for (String origin : csp.mediaOrigins()) {
            if (!ORIGIN.matcher(origin).matches()) {
                throw new IllegalStateException(
                        "barrage.gateway.csp.media-origins: not an origin (scheme://host[:port]): " + origin);
            }
        }
        String media = csp.mediaOrigins().isEmpty() ? "" : " " + String.join(" ", csp.mediaOrigins());
        this.policy = String.join(
                "; ",
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data: blob:",
                "media-src 'self' blob:" + media,
                "connect-src 'self' ws: wss:" + media,
                "worker-src 'self' blob:",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'");
        this.tls = tls.enabled();
        this.hsts = "max-age=" + tls.hstsMaxAge().toSeconds();
    }

    /** @param mediaOrigins origins besides the gateway's from which the UI may load video (presigned mode) */
    @ConfigurationProperties("barrage.gateway.csp")
    record Csp(@DefaultValue List<String> mediaOrigins) {}

    /**
     * @param enabled the public site is served over HTTPS (TLS ends in front of the gateway)
     * @param hstsMaxAge how long browsers keep to HTTPS once they have seen the site
     */
    @ConfigurationProperties("barrage.gateway.tls")
    record Tls(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("365d") Duration hstsMaxAge) {}

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpResponse response = exchange.getResponse();
        response.beforeCommit(() -> {
            HttpHeaders headers = response.getHeaders();
            headers.set("X-Content-Type-Options", "nosniff");
            headers.set("X-Frame-Options", "DENY");
            headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
            headers.set("Content-Security-Policy", policy);
            if (tls) {
                headers.set("Strict-Transport-Security", hsts);
                List<String> cookies = headers.get(HttpHeaders.SET_COOKIE);
                if (cookies != null && !cookies.isEmpty()) {
                    headers.put(
                            HttpHeaders.SET_COOKIE,
                            cookies.stream().map(SecurityHeaders::secure).toList());
                }
            }
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    static String secure(String setCookie) {
        for (String attribute : setCookie.split(";")) {
            if (attribute.strip().equalsIgnoreCase("Secure")) {
                return setCookie;
            }
        }
        return setCookie + "; Secure";
    }
}
