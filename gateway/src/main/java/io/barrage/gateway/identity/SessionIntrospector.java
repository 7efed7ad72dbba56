package io.barrage.gateway.identity;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.barrage.platform.credential.ServiceCredential;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.loadbalancer.reactive.ReactorLoadBalancerExchangeFilterFunction;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Asks user-service who a session token belongs to, through a near-cache.
 *
 * <p>The cache is Caffeine: bounded in size (W-TinyLFU eviction keeps the tokens in use and drops the
 * one-off ones, so a flood of random tokens cannot push out real sessions or exhaust memory) and in time
 * (a short TTL bounds how stale an answer can be if a revocation event is missed). Concurrent checks of
 * the same token share one call. Answers "no such session" are cached too, so replaying a dead token
 * costs no call. Keys are the tokens' SHA-256, never the tokens.
 *
 * <p>Revocations arrive from {@code user.events} ({@link RevocationListener}) and evict at once; a
 * revoked hash is also remembered for a while, so an introspection already in flight when the event
 * arrived cannot put the session back.
 *
 * <p>A check that fails (user-service unreachable, too slow, a 5xx) is never taken for "no such
 * session": an identity verified within the stale window ({@code barrage.gateway.session-stale-window},
 * counted from its last successful check, not from its last use) is served again, and otherwise the
 * caller gets {@link SessionCheckUnavailable}, which the gateway answers with 503. A revocation ends a
 * stale identity as it ends a cached one.
 */
@Component
public class SessionIntrospector {

    private static final Logger log = LoggerFactory.getLogger(SessionIntrospector.class);
    static final String CACHE_NAME = "sessions";

    private final WebClient userService;
    private final String serviceToken;
    private final IdentityProperties properties;
    private final AsyncCache<String, Optional<Identity>> cache;
    private final Cache<String, Boolean> revoked;
    private final Cache<String, Identity> lastVerified;

    SessionIntrospector(
            ReactorLoadBalancerExchangeFilterFunction loadBalancer,
            ServiceCredential credential,
            IdentityProperties properties,
            MeterRegistry meters) {
        this.userService = WebClient.builder()
                .baseUrl(properties.userServiceUri())
                .filter(loadBalancer)
                .build();
        this.serviceToken = credential.token();
        this.properties = properties;
        this.cache = Caffeine.newBuilder()
                .maximumSize(properties.sessionCacheSize())
                .expireAfterWrite(properties.sessionCacheTtl())
                .recordStats()
                .buildAsync();
        this.revoked = Caffeine.newBuilder()
                .maximumSize(properties.sessionCacheSize())
                .expireAfterWrite(properties
                        .sessionCacheTtl()
                        .plus(properties.introspectTimeout())
                        .multipliedBy(2))
                .build();
        this.lastVerified = Caffeine.newBuilder()
                .maximumSize(properties.sessionCacheSize())
                .expireAfterWrite(properties.sessionStaleWindow())
                .build();
        // cache_gets_total{cache="sessions",result="hit|miss"}, cache_evictions_total, cache_size …
        new CaffeineCacheMetrics<>(cache.synchronous(), CACHE_NAME, Tags.empty()).bindTo(meters);
    }

    /**
     * The verified user, or empty for an unknown, expired or revoked token; fails with {@link
     * SessionCheckUnavailable} when user-service cannot say and no recent answer may stand in.
     */
    Mono<Optional<Identity>> identify(String token, String requestId) {
        String key = sha256(token);
        if (revoked.getIfPresent(key) != null) {
            return Mono.just(Optional.empty());
        }
        // suppressCancel: one caller giving up must not cancel the call other callers wait for
        return Mono.fromFuture(
                        () -> cache.get(
                                key,
                                (k, executor) -> introspect(token, requestId)
                                        .doOnNext(answer -> remember(k, answer))
                                        .toFuture()),
                        true)
                .map(answer -> revoked.getIfPresent(key) != null ? Optional.<Identity>empty() : answer)
                .onErrorResume(e -> {
                    // failures are not cached: the next request asks again
                    Identity recent = lastVerified.getIfPresent(key);
                    if (recent != null && revoked.getIfPresent(key) == null) {
                        log.warn(
                                "[{}] session check failed, serving the identity verified recently: {}",
                                requestId,
                                e.toString());
                        return Mono.just(Optional.of(recent));
                    }
                    log.warn("[{}] session check failed, answering 503: {}", requestId, e.toString());
                    return Mono.error(new SessionCheckUnavailable(e));
                });
    }

    /** Only a real answer moves the stale window: a definite "no" ends it, a "yes" starts it again. */
    private void remember(String key, Optional<Identity> answer) {
        if (answer.isPresent() && revoked.getIfPresent(key) == null) {
            lastVerified.put(key, answer.get());
        } else {
            lastVerified.invalidate(key);
        }
    }

    /** Drops a session everywhere in this instance, for a revocation announced on {@code user.events}. */
    public void evict(String tokenHash) {
        revoked.put(tokenHash, Boolean.TRUE);
        cache.synchronous().invalidate(tokenHash);
        lastVerified.invalidate(tokenHash);
    }

    /** Forgets a token at once, for a logout made through this gateway. */
    void forget(String token) {
        evict(sha256(token));
    }

    /** Whether this instance currently holds an answer for the token hash (for tests and diagnostics). */
    public boolean holds(String tokenHash) {
        return cache.synchronous().getIfPresent(tokenHash) != null;
    }

    private Mono<Optional<Identity>> introspect(String token, String requestId) {
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
                .timeout(properties.introspectTimeout());
    }

    // a digest per event-loop thread: looking one up in the provider list on every request is not free
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    static String sha256(String token) {
        return HexFormat.of().formatHex(SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
