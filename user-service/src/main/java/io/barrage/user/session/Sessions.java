package io.barrage.user.session;

import com.baomidou.mybatisplus.core.conditions.query.LambdaQueryWrapper;
import com.baomidou.mybatisplus.core.conditions.update.LambdaUpdateWrapper;
import io.barrage.platform.problem.ApiException;
import io.barrage.user.account.Accounts;
import io.barrage.user.account.PublicProfile;
import io.barrage.user.web.SessionTokens;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.ibatis.exceptions.PersistenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issues, resolves and revokes session tokens.
 *
 * <p>MariaDB ({@code user_session}) is the source of truth; Redis ({@code session:{sha256}}) is the fast
 * path. A Redis miss, a Redis that lost its data or a Redis that is down falls back to the database and
 * re-warms Redis, so no Redis event logs anyone out. Both hold only the SHA-256 of a token.
 *
 * <p>Sliding expiry is written to the database at most once per touch interval; that write also checks
 * that the row still exists, so a revocation whose Redis delete was lost (Redis down at that moment) is
 * honoured within one touch interval even before the pending delete is retried.
 *
 * <p>While MariaDB is down, a session Redis holds is still answered from Redis alone: once a database
 * call has failed, touches skip the database for {@code barrage.session.database-retry-interval}, and
 * after that one check at a time tries it again, so no session check waits for a dead database (each
 * wait would be the pool's connection timeout). A session only MariaDB knows, while MariaDB is down, is
 * 503 {@code session-store-unavailable}, never "not found".
 */
@Service
class Sessions {

    private static final Logger log = LoggerFactory.getLogger(Sessions.class);
    private static final int TOKEN_BYTES = 32;
    // a real token is 43 characters; anything much longer is not worth hashing
    private static final int MAX_TOKEN_LENGTH = 256;
    private static final int MAX_USER_AGENT = 200;

    private final StringRedisTemplate redis;
    private final SessionRowMapper rows;
    private final Accounts accounts;
    private final JsonMapper json;
    private final SessionProperties properties;
    private final SecureRandom random = new SecureRandom();
    private final Queue<String> pendingForgets = new ConcurrentLinkedQueue<>();
    private final DatabaseOutage databaseOutage;

    Sessions(
            StringRedisTemplate redis,
            SessionRowMapper rows,
            Accounts accounts,
            JsonMapper json,
            SessionProperties properties) {
        this.redis = redis;
        this.rows = rows;
        this.accounts = accounts;
        this.json = json;
        this.properties = properties;
        this.databaseOutage = new DatabaseOutage(properties.databaseRetryInterval());
    }

    record Issued(String token, Instant expiresAt) {}

    /** A revoked session: what {@code SessionRevoked} announces. */
    record Ended(String tokenHash, long userId) {}

    Issued open(long userId, String username, String userAgent) {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String hash = SessionTokens.hash(token);
        Instant now = now();
        Instant absolute = now.plus(properties.maxAge());
        Instant expires = min(now.plus(properties.ttl()), absolute);
        SessionRow row = new SessionRow();
        row.setUserId(userId);
        row.setTokenHash(hash);
        row.setUserAgent(userAgent == null ? null : truncate(userAgent));
        row.setCreatedAt(now);
        row.setLastSeenAt(now);
        row.setExpiresAt(expires);
        row.setAbsoluteExpiresAt(absolute);
        rows.insert(row);
        cache(hash, new SessionData(row.getId(), userId, username, now, absolute, now), expires, now);
        return new Issued(token, expires);
    }

    Optional<SessionData> find(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        String hash = SessionTokens.hash(token);
        Instant now = now();
        boolean redisUp = true;
        SessionData cached = null;
        try {
            String value = redis.opsForValue().get(key(hash));
            cached = value == null ? null : parse(value);
        } catch (RuntimeException e) {
            redisUp = false;
            log.warn("session cache unreachable, asking the database: {}", e.toString());
        }
        if (cached != null && pendingForgets.contains(hash)) {
            // revoked while Redis was down; Redis came back with the old copy before the retry ran
            return Optional.empty();
        }
        if (cached != null && cached.id() > 0) {
            if (!now.isBefore(cached.absoluteExpiresAt())) {
                revokeHash(hash);
                return Optional.empty();
            }
            if (Duration.between(cached.seenAt(), now).compareTo(properties.touchInterval()) < 0) {
                return Optional.of(cached);
            }
            return touch(hash, cached, now, redisUp, true);
        }
        SessionRow row = fromDatabase(hash);
        if (row == null
                || !row.getExpiresAt().isAfter(now)
                || !row.getAbsoluteExpiresAt().isAfter(now)) {
            return Optional.empty();
        }
        Optional<PublicProfile> user = accounts.profile(row.getUserId());
        if (user.isEmpty()) {
            return Optional.empty();
        }
        SessionData data = new SessionData(
                row.getId(),
                row.getUserId(),
                user.get().username(),
                row.getCreatedAt(),
                row.getAbsoluteExpiresAt(),
                row.getLastSeenAt());
        return touch(hash, data, now, redisUp, false);
    }

    /** Ends the session of this token; empty if it was not live (so nobody announces it twice). */
    Optional<Ended> revoke(String token) {
        if (!plausible(token)) {
            return Optional.empty();
        }
        return revokeHash(SessionTokens.hash(token));
    }

    /** Ends one of the user's own sessions; empty when there is no such session of theirs. */
    Optional<Ended> revoke(long userId, long sessionId) {
        SessionRow row = rows.selectById(sessionId);
        if (row == null || row.getUserId() != userId) {
            return Optional.empty();
        }
        return revokeHash(row.getTokenHash());
    }

    /** Ends every session of the user except the one with this token hash (null keeps none). */
    List<Ended> revokeAllExcept(long userId, String keepTokenHash) {
        return rows.selectList(new LambdaQueryWrapper<SessionRow>().eq(SessionRow::getUserId, userId)).stream()
                .filter(row -> !row.getTokenHash().equals(keepTokenHash))
                .flatMap(row -> revokeHash(row.getTokenHash()).stream())
                .toList();
    }

    List<SessionView> list(long userId, String currentTokenHash) {
        Instant now = now();
        return rows
                .selectList(new LambdaQueryWrapper<SessionRow>()
                        .eq(SessionRow::getUserId, userId)
                        .gt(SessionRow::getExpiresAt, now)
                        .orderByDesc(SessionRow::getCreatedAt)
                        .orderByDesc(SessionRow::getId))
                .stream()
                .map(row -> new SessionView(
                        row.getId(),
                        row.getCreatedAt(),
                        row.getLastSeenAt(),
                        row.getExpiresAt(),
                        row.getAbsoluteExpiresAt(),
                        row.getUserAgent(),
                        row.getTokenHash().equals(currentTokenHash)))
                .toList();
    }

    /** Expired rows are dead weight; Redis entries expire on their own. */
    @Scheduled(
            fixedDelayString = "${barrage.session.cleanup-interval}",
            initialDelayString = "${barrage.session.cleanup-initial-delay}")
    void deleteExpired() {
        try {
            int deleted = rows.delete(new LambdaQueryWrapper<SessionRow>().le(SessionRow::getExpiresAt, now()));
            if (deleted > 0) {
                log.info("deleted {} expired sessions", deleted);
            }
        } catch (DataAccessException e) {
            log.warn("could not delete expired sessions: {}", e.toString());
        }
    }

    /** Redis deletes that failed during an outage, retried so a revoked token cannot come back with Redis. */
    @Scheduled(fixedDelay = 1000)
    void retryForgets() {
        String hash;
        while ((hash = pendingForgets.peek()) != null) {
            try {
                redis.delete(key(hash));
                pendingForgets.remove();
            } catch (RuntimeException e) {
                return;
            }
        }
    }

    private Optional<Ended> revokeHash(String hash) {
        SessionRow row = rows.selectOne(byHash(hash));
        boolean deleted = row != null && rows.deleteById(row.getId()) == 1;
        forget(hash);
        Instant now = now();
        // an expired session is cleaned up, but ending it is no news: it had already ended
        boolean wasLive = deleted
                && row.getExpiresAt().isAfter(now)
                && row.getAbsoluteExpiresAt().isAfter(now);
        return wasLive ? Optional.of(new Ended(hash, row.getUserId())) : Optional.empty();
    }

    /**
     * Slides the expiry in the database, and confirms there that the session still exists. A session
     * known from Redis is still accepted while the database is down: Redis said it is live a moment ago.
     */
    private Optional<SessionData> touch(
            String hash, SessionData data, Instant now, boolean redisUp, boolean fromRedis) {
        Instant expires = min(now.plus(properties.ttl()), data.absoluteExpiresAt());
        if (!expires.isAfter(now)) {
            revokeHash(hash);
            return Optional.empty();
        }
        if (fromRedis && !databaseOutage.tryDatabase()) {
            // Redis said it is live a moment ago; the touch waits for the database to come back
            return Optional.of(data);
        }
        int updated;
        try {
            updated = rows.update(
                    null,
                    new LambdaUpdateWrapper<SessionRow>()
                            .set(SessionRow::getLastSeenAt, now)
                            .set(SessionRow::getExpiresAt, expires)
                            .eq(SessionRow::getId, data.id())
                            .gt(SessionRow::getExpiresAt, now));
        } catch (DataAccessException | PersistenceException e) {
            databaseOutage.failed();
            if (fromRedis) {
                log.warn("could not slide session {} in the database: {}", data.id(), e.toString());
                return Optional.of(data);
            }
            throw storeUnavailable(e);
        } finally {
            databaseOutage.tried();
        }
        databaseOutage.succeeded();
        if (updated == 0) {
            forget(hash);
            return Optional.empty();
        }
        SessionData fresh = data.seen(now);
        if (redisUp) {
            cache(hash, fresh, expires, now);
        }
        return Optional.of(fresh);
    }

    /** The row of a session Redis does not hold; 503 when neither store can answer. */
    private SessionRow fromDatabase(String hash) {
        try {
            SessionRow row = rows.selectOne(byHash(hash));
            databaseOutage.succeeded();
            return row;
        } catch (DataAccessException | PersistenceException e) {
            // MyBatis-Plus's selectOne goes through a cursor whose failures come untranslated
            databaseOutage.failed();
            throw storeUnavailable(e);
        }
    }

    private static ApiException storeUnavailable(RuntimeException e) {
        log.warn("session store unavailable: {}", e.toString());
        return new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "session-store-unavailable",
                        "The session cannot be checked right now; try again shortly.")
                .retryAfter(Duration.ofSeconds(2));
    }

    private void cache(String hash, SessionData data, Instant expires, Instant now) {
        try {
            redis.opsForValue().set(key(hash), json.writeValueAsString(data), Duration.between(now, expires));
        } catch (RuntimeException e) {
            // the row is written; the next check finds it in the database and re-warms Redis
            log.warn("could not cache session {}: {}", data.id(), e.toString());
        }
    }

    private void forget(String hash) {
        try {
            redis.delete(key(hash));
        } catch (RuntimeException e) {
            log.warn("could not delete a revoked session from Redis, retrying: {}", e.toString());
            pendingForgets.add(hash);
        }
    }

    private static LambdaQueryWrapper<SessionRow> byHash(String hash) {
        return new LambdaQueryWrapper<SessionRow>().eq(SessionRow::getTokenHash, hash);
    }

    private static String key(String tokenHash) {
        return "session:" + tokenHash;
    }

    private static boolean plausible(String token) {
        return token != null && !token.isBlank() && token.length() <= MAX_TOKEN_LENGTH;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String truncate(String userAgent) {
        String clean = userAgent
                .codePoints()
                .filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return clean.length() <= MAX_USER_AGENT ? clean : clean.substring(0, MAX_USER_AGENT);
    }

    private SessionData parse(String value) {
        try {
            return json.readValue(value, SessionData.class);
        } catch (RuntimeException e) {
            // a value of an older shape: the database decides
            return null;
        }
    }
}
