package io.barrage.gateway.edge;

import io.barrage.platform.problem.ReactiveProblems;
import java.util.Locale;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses what must never be proxied from the public port, before any route is looked at.
 *
 * <p>{@code /internal/**} and {@code /actuator/**} answer 404 as if they did not exist. Paths with dot
 * segments or encoded slashes are refused too: the gateway matches the path as sent, but the service's
 * server normalises it, so {@code /api/v1/users/../../../internal/v1/users/1} would match the users
 * route here and reach an internal endpoint there, carrying the gateway's service credential.
 *
 * <p>Web filters are also picked up by the actuator's child context on the management port, where
 * {@code /actuator/**} must stay reachable; the guard acts only on requests of its own context.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class PublicPortGuard implements WebFilter {

    private final ApplicationContext publicContext;

    PublicPortGuard(ApplicationContext publicContext) {
        this.publicContext = publicContext;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getApplicationContext() != publicContext) {
            return chain.filter(exchange);
        }
        var path = exchange.getRequest().getPath().pathWithinApplication();
        boolean first = true;
        for (PathContainer.Element element : path.elements()) {
            if (!(element instanceof PathContainer.PathSegment segment)) {
                continue;
            }
            String value = segment.valueToMatch();
            if (value.equals(".")
                    || value.equals("..")
                    || value.contains("/")
                    || value.contains("\\")
                    || !decodesCleanly(segment.value())) {
                return ReactiveProblems.write(
                        exchange, HttpStatus.BAD_REQUEST, "invalid-path", "The path is not allowed.");
            }
            if (first) {
                first = false;
                String lower = value.toLowerCase(Locale.ROOT);
                if (lower.equals("internal") || lower.equals("actuator")) {
                    return ReactiveProblems.write(exchange, HttpStatus.NOT_FOUND, "not-found", "No such resource.");
                }
            }
        }
        return chain.filter(exchange);
    }

    /**
     * A segment whose percent-encoding is not UTF-8 ({@code %FF}, an encoded surrogate) or decodes to a
     * control character ({@code %00}): no resource has such a name, and the services' Tomcat would refuse
     * it with an HTML page of its own instead of a problem.
     */
    static boolean decodesCleanly(String raw) {
        if (raw.indexOf('%') < 0) {
            return true;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return false;
                }
                int high = Character.digit(raw.charAt(i + 1), 16);
                int low = Character.digit(raw.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return false;
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        try {
            String decoded = java.nio.charset.StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
            return decoded.codePoints().noneMatch(Character::isISOControl);
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
