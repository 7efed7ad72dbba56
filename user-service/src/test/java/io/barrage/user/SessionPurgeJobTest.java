package io.barrage.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.barrage.infra.TestHttp;
import io.barrage.infra.TestInfra;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The expired-session purge that scheduler-service's clock calls. */
class SessionPurgeJobTest extends UserServiceContext {

    private final JsonMapper json = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void expiredSessionsAreDeletedAndLiveOnesStay() throws Exception {
        String name = "purge" + ThreadLocalRandom.current().nextInt(1_000_000, 9_999_999);
        var registered =
                send("/api/v1/users", "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"}", false);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        long userId = json.readTree(registered.body()).get("id").asLong();
        Instant now = Instant.now();
        for (int i = 0; i < 3; i++) {
            session(userId, now.minus(1 + i, ChronoUnit.HOURS));
        }
        String live = session(userId, now.plus(1, ChronoUnit.HOURS));

        var anonymous = send("/internal/v1/jobs/session-purge", "", false);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(json.readTree(anonymous.body()).get("code").asString()).isEqualTo("service-credential-required");
        assertThat(sessionsOf(userId)).hasSize(4);

        var purged = send("/internal/v1/jobs/session-purge", "", true);
        assertThat(purged.statusCode()).isEqualTo(200);
        assertThat(json.readTree(purged.body()).get("items").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(sessionsOf(userId)).containsExactly(live);

        var again = send("/internal/v1/jobs/session-purge", "", true);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(sessionsOf(userId)).containsExactly(live);
    }

    private String session(long userId, Instant expires) {
        byte[] random = new byte[32];
        ThreadLocalRandom.current().nextBytes(random);
        String hash = HexFormat.of().formatHex(random);
        Timestamp created = Timestamp.from(expires.minus(2, ChronoUnit.HOURS));
        jdbc.update(
                "INSERT INTO user_session (user_id, token_hash, created_at, last_seen_at, expires_at,"
                        + " absolute_expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                userId,
                hash,
                created,
                created,
                Timestamp.from(expires),
                Timestamp.from(expires.plus(1, ChronoUnit.DAYS)));
        return hash;
    }

    private List<String> sessionsOf(long userId) {
        return jdbc.queryForList("SELECT token_hash FROM user_session WHERE user_id = ?", String.class, userId);
    }

    private HttpResponse<String> send(String path, String body, boolean service) {
        return service
                ? TestHttp.on(port)
                        .post(path, body, "X-Service-Token", TestInfra.get().serviceToken())
                : TestHttp.on(port).post(path, body);
    }
}
