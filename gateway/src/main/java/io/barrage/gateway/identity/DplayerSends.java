package io.barrage.gateway.identity;

import java.util.Optional;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The DPlayer v3 send ({@code POST /dplayer/v3/}): DPlayer, configured as its documentation says, puts
 * the session token in the JSON body as {@code token}, not in a header. The gateway takes that token as a
 * bearer token. On this route the session cookie is not a credential at all (only the body token or an
 * {@code Authorization} header is), so a cross-site form that carries a victim's cookie speaks for nobody
 * and the CSRF header is not needed.
 */
public final class DplayerSends {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    // a real token is 43 characters; anything much longer is not a token
    private static final int MAX_TOKEN_LENGTH = 256;

    private DplayerSends() {}

    public static boolean matches(ServerHttpRequest request) {
        if (request.getMethod() != HttpMethod.POST) {
            return false;
        }
        String path = request.getPath().pathWithinApplication().value();
        return path.equals("/dplayer/v3/") || path.equals("/dplayer/v3");
    }

    /** The body's {@code token}, if the body is a JSON object holding a plausible one. */
    static Optional<String> tokenIn(byte[] body) {
        if (body.length == 0) {
            return Optional.empty();
        }
        try {
            JsonNode token = JSON.readTree(body).path("token");
            if (token.isString()) {
                String value = token.asString().strip();
                if (!value.isEmpty() && value.length() <= MAX_TOKEN_LENGTH) {
                    return Optional.of(value);
                }
            }
        } catch (RuntimeException e) {
            // not JSON: danmaku-service answers it with its own 400
        }
        return Optional.empty();
    }
}
