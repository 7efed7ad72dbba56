package io.barrage.gateway.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Asks user-service who a session token belongs to, and remembers the answer for a few seconds so a
 * page that fires ten requests costs one check. Tokens are kept only as their SHA-256.
 */
@Component
class SessionIntrospector {

    private static final Logger log = LoggerFactory.getLogger(SessionIntrospector.class);

    private final WebClient userService;
    private final String serviceToken;
    private final IdentityProperties properties;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<Identity> identity, long expiresAtNanos) {}

    SessionIntrospector(
            ReactorLoadBalancerExchangeFilterFunction loadBalancer,
            @Value("${barrage.service-token}") String serviceToken,
            IdentityProperties properties) {
        if (serviceToken == null || serviceToken.isBlank()) {
            throw new IllegalStateException("barrage.service-token must be set");
        }
        this.userService = WebClient.builder()
                .baseUrl(properties.userServiceUri())
                .filter(loadBalancer)
                .build();
        this.serviceToken = serviceToken;
        this.properties = properties;
    }

    /** The verified user, or empty for an unknown or expired token, or when user-service cannot say. */
    Mono<Optional<Identity>> identify(String token, String requestId) {
        String key = sha256(token);
        Cached cached = cache.get(key);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return Mono.just(cached.identity());
        }
        return userService
                .post()
                .uri("/internal/v1/sessions/introspect")
                .header("X-Service-Token", serviceToken)
                .header("X-Request-Id", requestId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("token", token))
                .exchangeToMono(response -> {
                    if (response.statusCode().is2xxSuccessful()) {
                        return response.bodyToMono(Identity.class).map(Optional::of);
                    }
                    if (response.statusCode().value() == HttpStatus.NOT_FOUND.value()) {
                        return response.releaseBody().thenReturn(Optional.<Identity>empty());
                    }
                    return response.releaseBody()
                            .then(Mono.error(
                                    new IllegalStateException("introspection answered " + response.statusCode())));
                })
                .timeout(properties.introspectTimeout())
                .doOnNext(answer -> remember(key, answer))
                .onErrorResume(e -> {
                    // Failing closed to anonymous keeps public pages working while user-service is down;
                    // endpoints that need a user answer 401 on their own.
                    log.warn(
                            "[{}] session check failed, treating the request as anonymous: {}",
                            requestId,
                            e.toString());
                    return Mono.just(Optional.empty());
                });
    }

    /** Forgets a token at once, for a logout made through this gateway. */
    void forget(String token) {
        cache.remove(sha256(token));
    }

    private void remember(String key, Optional<Identity> answer) {
        if (cache.size() >= properties.sessionCacheSize()) {
            long now = System.nanoTime();
            cache.values().removeIf(c -> c.expiresAtNanos() - now <= 0);
            if (cache.size() >= properties.sessionCacheSize()) {
                cache.clear();
            }
        }
        cache.put(
                key,
                new Cached(
                        answer, System.nanoTime() + properties.sessionCacheTtl().toNanos()));
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
